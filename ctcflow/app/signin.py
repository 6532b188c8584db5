"""A sign-in link sent to the person's own channel, through the outbox, delivered at once."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.people import current_definitions
from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.core.links import Links
from ctcflow.core.templating import long_date, renderer
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import NoticeKind
from ctcflow.delivery.sender import deliver_pending
from ctcflow.notices.outbox import Notice, write_new
from db.engine import session_scope
from db.models import Notification

LOGIN_EVERY_SECONDS = 120
LOGIN_MINUTES = 30


def send_login_link(defs: Definitions, settings: Settings, person: PersonDef, as_of: date) -> None:
    link = Links(settings, deferred=True).login(person.id, minutes=LOGIN_MINUTES)
    # one link per person per two minutes: asking again (or someone asking for them) adds no mail
    key = keys.login(person.id, int(time.time() // LOGIN_EVERY_SECONDS))
    notice = Notice(key=key, kind=NoticeKind.LOGIN, as_of=as_of, area_id=None, recipient=person.id,
                    reference=person.notify, lang=person.lang, template="login",
                    context=lambda: {"person": person.name, "link": link, "minutes": LOGIN_MINUTES,
                                     "municipality": defs.org.municipality})
    with session_scope(settings) as session:
        write_new(session, [notice], renderer(settings.templates_dir), defs.process.notification_policy.brief)
        ids = list(session.execute(select(col(Notification.id)).where(col(Notification.key) == key)).scalars())
    deliver_pending(only=ids, sender_name=defs.org.sender_name)


def send_welcome(settings: Settings, person_id: str, *, added_by: str, as_of: date) -> None:
    """A person just added on the web learns it at once: who added them and as what, where the
    pages are, and — once their first day has come — a link that signs them in (a day's worth;
    after that they ask the pages for a new one)."""
    defs = current_definitions(settings)
    found = defs.org.person(person_id)
    if found is None:
        raise CtcError(f"'{person_id}' is not a person")
    person, area = found
    start = person.valid_from or as_of
    link = Links(settings, deferred=True).login(person.id, minutes=LINK_MINUTES[1]) if start <= as_of else None

    def context(lang: str = person.lang) -> dict[str, object]:
        return {"person": person.name, "added_by": defs.name("person", added_by, lang),
                "role": defs.name("role", person.role, lang).lower(),
                "area": defs.name("area", area.id, lang) if area else None, "start": long_date(start, lang),
                "link": link, "site": settings.web_base_url.rstrip("/"),
                "municipality": defs.org.municipality}

    key = keys.welcome(person.id)
    notice = Notice(key=key, kind=NoticeKind.LOGIN, as_of=as_of, area_id=area.id if area else None, recipient=person.id,
                    reference=person.notify, lang=person.lang, template="welcome", context=context)
    with session_scope(settings) as session:
        write_new(session, [notice], renderer(settings.templates_dir), defs.process.notification_policy.brief)
        ids = list(session.execute(select(col(Notification.id)).where(col(Notification.key) == key)).scalars())
    deliver_pending(only=ids, sender_name=defs.org.sender_name)


def welcome_state(settings: Settings, person_id: str) -> tuple[str, str | None] | None:
    """Where a person's welcome stands (the outbox's status and the server's words), or None."""
    with session_scope(settings) as session:
        row = session.execute(select(col(Notification.status), col(Notification.last_error))
                              .where(col(Notification.key) == keys.welcome(person_id))).first()
    return (str(row[0]), row[1]) if row else None


LINK_MINUTES = (1, 24 * 60)  # a sign-in link lives at least a minute and at most a day


def login_link(person_id: str, minutes: int = LOGIN_MINUTES) -> str:
    """A one-time sign-in link for a person of areas.yml (the first sign-in, or a test)."""
    if not LINK_MINUTES[0] <= minutes <= LINK_MINUTES[1]:
        raise Invalid("minutes", "link_minutes", f"--minutes {minutes}: a sign-in link is valid for "
                      f"{LINK_MINUTES[0]} to {LINK_MINUTES[1]} minutes (a day)")
    found = current_definitions().org.person(person_id)
    if found is None:
        raise CtcError(f"'{person_id}' is not a person in areas.yml")
    return Links().login(found[0].id, minutes=minutes)

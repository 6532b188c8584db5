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
from ctcflow.core.templating import renderer
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
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
    notice = Notice(key=key, kind="login", as_of=as_of, area_id=None, recipient=person.id,
                    reference=person.notify, lang=person.lang, template="login",
                    context=lambda: {"person": person.name, "link": link, "minutes": LOGIN_MINUTES,
                                     "municipality": defs.org.municipality})
    with session_scope(settings) as session:
        write_new(session, [notice], renderer(settings.templates_dir), defs.process.notification_policy.brief)
        ids = list(session.execute(select(col(Notification.id)).where(col(Notification.key) == key)).scalars())
    deliver_pending(only=ids, sender_name=defs.org.sender_name)


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

"""Use case: take an escalated matter on — "vi tar det": who, what will happen, until which day.
Checked by the one permission rule, stored and logged, and told to everyone the matter already
reached (in their next brief): the climb waits for that day, and every list of open escalations
shows it beside the matter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, Scope, require
from ctcflow.app.context import ready
from ctcflow.core import calendar
from ctcflow.core.config import Settings
from ctcflow.core.errors import Invalid
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import ACKNOWLEDGED, ESCALATION_KINDS
from ctcflow.notices.acks import Ack, record_ack
from ctcflow.notices.composer import Composer
from ctcflow.notices.outbox import Notice, write_new
from ctcflow.report.escalated import Escalated, open_escalations
from db.engine import session_scope
from db.models import Notification
from db.statuses import NoticeStatus

PLAN_MAX = 500


@dataclass(frozen=True)
class Acknowledged:
    ack: Ack
    told: list[str]  # the people who hear of it in their next brief


def latest_allowed(defs: Definitions, as_of: date) -> date:
    """The furthest day an acknowledgement made on ``as_of`` may pause a climb to."""
    return calendar.add_business_days(as_of, defs.process.notification_policy.acknowledge_for_at_most)


def acknowledge(topic: str, *, by: str, plan: str, until: date | None, as_of: date, scope: Scope | None = None,
                defs: Definitions | None = None, settings: Settings | None = None) -> Acknowledged:
    """``defs`` and ``settings``: the web's (one tenant's); the command line reads its own."""
    defs = defs or ready()
    plan = " ".join(plan.split())
    with session_scope(settings) as session:
        thing = _open_thing(session, defs, topic, as_of)
        require(defs, by, Action.ACKNOWLEDGE, as_of, thing.area_id, scope=scope)
        if not plan:
            raise Invalid("plan", "required", "say what will happen (--plan), in a sentence the board can read")
        if len(plan) > PLAN_MAX:
            raise Invalid("plan", "too_long", f"the plan is {len(plan)} characters; keep it to {PLAN_MAX}")
        furthest = latest_allowed(defs, as_of)
        if until is None:
            raise Invalid("until", "date_format", f"--until takes a day, YYYY-MM-DD, at most {furthest}")
        if not as_of <= until <= furthest:
            raise Invalid("until", "out_of_range", f"--until must be between {as_of} and {furthest} (at most "
                          f"{defs.process.notification_policy.acknowledge_for_at_most} working days ahead)")
        ack = Ack(topic, by, plan, until, as_of, thing.subject, thing.area_id)
        ack_id = record_ack(session, ack)
        told = _tell_those_above(session, defs, ack, ack_id)
    return Acknowledged(ack, told)


def open_things(as_of: date, area_ids: list[str] | None = None, defs: Definitions | None = None,
                settings: Settings | None = None) -> tuple[Definitions, list[Escalated]]:
    """What is escalated and open on ``as_of`` (for the pages and ``ctc status``)."""
    defs = defs or ready()
    with session_scope(settings) as session:
        return defs, open_escalations(session, defs, as_of, area_ids)


def _open_thing(session: Session, defs: Definitions, topic: str, as_of: date) -> Escalated:
    found = {e.topic: e for e in open_escalations(session, defs, as_of)}
    if topic not in found:
        raise Invalid("topic", "not_open", f"nothing escalated as '{topic}' is open on {as_of}; "
                      "`ctc escalations` lists what is, each with the name to give here")
    return found[topic]


def _tell_those_above(session: Session, defs: Definitions, ack: Ack, ack_id: int) -> list[str]:
    """Everyone the matter has reached as an escalation, but the one who took it."""
    n = Notification
    told = set(session.execute(select(col(n.recipient)).distinct()
                               .where(col(n.topic) == ack.topic, col(n.kind).in_(ESCALATION_KINDS),
                                      col(n.status) != NoticeStatus.CANCELLED, col(n.as_of) <= ack.on)).scalars())
    told.discard(ack.by)
    composer = Composer(defs, ack.on)
    notices = []
    for person in (p for p in defs.org.everyone() if p.id in told):
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            return {"person": person.name, "what": ack.subject, "by": defs.name("person", ack.by, lang),
                    "plan": ack.plan, "until": ack.until, "on": ack.on,
                    "municipality": defs.org.municipality, "link": composer.links.page(person.id, ack.area_id)}

        notices.append(Notice(key=keys.acknowledged(ack_id, person.id), kind=ACKNOWLEDGED, as_of=ack.on,
                              area_id=ack.area_id, recipient=person.id, reference=person.notify, lang=person.lang,
                              template=ACKNOWLEDGED, context=context, topic=ack.topic))
    write_new(session, notices, composer.templates, defs.process.notification_policy.brief)
    return sorted(told)

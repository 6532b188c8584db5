"""Notices for stalls and vacancies: each climbs its own ladder from the day it began — the first
rung told at once, each next one when its working days have passed — until the board knows.
Keys name the stall, the day it began and the rung, so each rung is told once per stall."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ctcflow.core import calendar
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.engine.stalls import Stall
from ctcflow.notices.acks import Ack
from ctcflow.notices.composer import Composer
from ctcflow.notices.milestone_notices import lapsed_context
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Rung, reached, repeat_at_top


def topic_of(stall: Stall) -> str:
    return keys.topic_stall(stall.kind, stall.area_id, stall.role)


def stall_notices(session: Session, composer: Composer, found: list[Stall] | None = None) -> list[Notice]:
    """Every rung of every stall's ladder whose day has come, for each person it reaches.
    Nothing on weekends and holidays: a rung due then is told the next working day."""
    as_of = composer.as_of
    if not calendar.is_business_day(as_of):
        return []
    found = composer.stalls(session) if found is None else found
    policy = composer.defs.process.notification_policy
    ladders, every = policy.escalation, policy.remind_top_every
    paused, acks = composer.paused(session), composer.acks(session)
    today = calendar.business_ordinal(as_of)
    planned: list[Notice] = []
    for stall in found:
        days = today - calendar.business_ordinal(stall.since)
        if topic_of(stall) in paused:
            continue  # acknowledged: the climb waits until the acknowledgement's date
        lapsed = acks.get(topic_of(stall))
        for rung in reached(ladders.of(stall.kind), None, days, composer.levels):
            again = repeat_at_top(rung, days, every)
            for repeat in sorted({0, again}):
                planned += _rung_notices(composer, stall, rung, days, repeat, lapsed)
    return planned


def _rung_notices(composer: Composer, stall: Stall, rung: Rung, days: int, repeat: int,
                  lapsed: Ack | None) -> list[Notice]:
    directory, defs = composer.directory, composer.defs
    told = directory.on_ladder((rung.role, *rung.above), stall.area_id)
    topic = topic_of(stall)
    stage = f"rung-{rung.level}-{rung.role}" + (f"-again-{repeat}" if repeat else "")
    notices = []
    for person in told.people:
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            return {
                "kind": stall.kind, "person": person.name, "as_of": composer.as_of, "since": stall.since,
                "days": days, "top": rung.top, "level": rung.level, "repeat": repeat,
                "responsible": composer.responsible(stall.area_id, lang),
                "lapsed": lapsed_context(composer, lapsed, lang),
                "area": directory.area_name(stall.area_id) if stall.area_id else None,
                "role": composer.role_title(told.role, lang),
                "vacant_role": composer.role_title(stall.role, lang) if stall.role else None,
                "last_holder": defs.name("person", stall.last_holder, lang) if stall.last_holder else None,
                "milestone": defs.name("milestone", stall.milestone_id, lang) if stall.milestone_id else None,
                "milestone_due": stall.milestone_due, "last_activity": stall.last_activity,
                "municipality": defs.org.municipality,
                "link": composer.links.page(person.id, stall.area_id)}

        notices.append(Notice(
            key=keys.stall(topic, stall.since, stage, person.id), kind=stall.kind,
            as_of=composer.as_of, area_id=stall.area_id, recipient=person.id, reference=person.notify,
            lang=person.lang, template="stall", context=context, topic=topic, due=stall.since, role=told.role))
    return notices


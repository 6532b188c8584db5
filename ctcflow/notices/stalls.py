"""Notices for stalls and vacancies: each climbs its own ladder from the day it began — the first
rung told at once, each next one when its working days have passed — until the board knows.
Keys name the stall, the day it began and the rung, so each rung is told once per stall."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ctcflow.core import calendar
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.engine.stalls import Stall, stalls
from ctcflow.notices.deadlines import Composer
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Rung, reached


def topic_of(stall: Stall) -> str:
    return keys.topic_stall(stall.kind, stall.area_id, stall.role)


def stall_notices(session: Session, composer: Composer, found: list[Stall] | None = None) -> list[Notice]:
    """Every rung of every stall's ladder whose day has come, for each person it reaches.
    Nothing on weekends and holidays: a rung due then is told the next working day."""
    as_of = composer.as_of
    if not calendar.is_business_day(as_of):
        return []
    found = stalls(session, composer.defs, as_of) if found is None else found
    ladders = composer.defs.process.notification_policy.escalation
    today = calendar.business_ordinal(as_of)
    planned: list[Notice] = []
    for stall in found:
        days = today - calendar.business_ordinal(stall.since)
        for rung in reached(ladders.of(stall.kind), None, days, composer.levels):
            planned += _rung_notices(composer, stall, rung, days)
    return planned


def _rung_notices(composer: Composer, stall: Stall, rung: Rung, days: int) -> list[Notice]:
    directory, defs = composer.directory, composer.defs
    told = directory.on_ladder((rung.role, *rung.above), stall.area_id)
    topic = topic_of(stall)
    notices = []
    for person in told.people:
        def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
            return {
                "kind": stall.kind, "person": person.name, "as_of": composer.as_of, "since": stall.since,
                "days": days, "top": rung.top, "level": rung.level,
                "area": directory.area_name(stall.area_id) if stall.area_id else None,
                "role": composer.role_title(told.role, lang),
                "vacant_role": composer.role_title(stall.role, lang) if stall.role else None,
                "last_holder": defs.name("person", stall.last_holder, lang) if stall.last_holder else None,
                "milestone": defs.name("milestone", stall.milestone_id, lang) if stall.milestone_id else None,
                "milestone_due": stall.milestone_due, "last_activity": stall.last_activity,
                "municipality": defs.org.municipality,
                "link": composer.links.page(person.id, stall.area_id)}

        notices.append(Notice(
            key=keys.stall(topic, stall.since, f"rung-{rung.level}-{rung.role}", person.id), kind=stall.kind,
            as_of=composer.as_of, area_id=stall.area_id, recipient=person.id, reference=person.notify,
            lang=person.lang, template="stall", context=context, topic=topic, due=stall.since, role=told.role))
    return notices


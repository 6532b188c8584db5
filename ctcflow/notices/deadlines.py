"""The deadline sweep: one query over every open milestone in every area, the policy applied
in memory, and the notices it calls for — addressed and keyed for the outbox. Their texts are
rendered later, and only for keys the outbox has not seen (``outbox.write_new``).

Nothing here writes or sends anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session, col

from ctcflow.access.directory import Directory
from ctcflow.core import calendar
from ctcflow.core.config import get_settings
from ctcflow.core.links import Links
from ctcflow.core.templating import Renderer, renderer
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.definition.process import PhaseDef
from ctcflow.delivery import keys
from ctcflow.engine.asof import open_on_sql, phase_open_sql
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Occasion, horizon, occasions
from db.models import Area, MilestoneInstance, PhaseInstance

PHASE_NOTICE_WINDOW = 10  # working days after opening during which the team is told of a new phase


@dataclass(frozen=True)
class OpenMilestone:
    instance_id: int
    area_id: str
    milestone_id: str
    due_date: date
    phase_instance_id: int
    phase_id: str
    cycle: int


def open_milestones_query(as_of: date, due_until: date) -> Any:
    """Milestones open on ``as_of`` (a later 'done' or approval counts as not yet) in active
    areas whose due date is at most ``due_until``: the bare SQL the sweep rests on."""
    mi, pi = MilestoneInstance, PhaseInstance
    return (
        select(col(mi.id), col(mi.area_id), col(mi.milestone_id), col(mi.due_date), col(pi.id), col(pi.phase_id),
               col(pi.cycle))
        .join(pi, col(mi.phase_instance_id) == col(pi.id))
        .join(Area, and_(col(Area.id) == col(mi.area_id), col(Area.active).is_(True)))
        .where(
            col(mi.retired).is_(False), col(mi.due_date).is_not(None), col(mi.due_date) <= due_until,
            open_on_sql(as_of), phase_open_sql(as_of),
        )
    )


def open_milestones(session: Session, defs: Definitions, as_of: date) -> list[OpenMilestone]:
    due_until = calendar.add_business_days(as_of, horizon(defs.process.notification_policy))
    return [OpenMilestone(*row) for row in session.execute(open_milestones_query(as_of, due_until))]


class Composer:
    """Addresses notices and holds the templates; one per sweep, so people and titles are looked
    up once."""

    def __init__(self, defs: Definitions, as_of: date, templates: Renderer | None = None) -> None:
        self.defs, self.as_of = defs, as_of
        self.directory = Directory(defs, as_of)
        self.templates = templates or renderer(get_settings().templates_dir)
        self.milestones = defs.milestones
        self.levels = defs.process.levels  # who is above whom: ladders only climb
        self.links = Links(deferred=True)  # markers: the outbox never holds a working link

    def role_title(self, role_id: str, lang: str) -> str:
        return self.defs.name("role", role_id, lang)

    def milestone_notices(self, row: OpenMilestone, occasion: Occasion) -> Iterator[Notice]:
        phase, ms = self.milestones[row.milestone_id]
        if occasion.kind == "escalation":
            found = self.directory.on_ladder((occasion.role, *occasion.above), row.area_id)
        else:
            found = self.directory.recipients(occasion.role, row.area_id)
        recipients, role = found.people, found.role
        kind = "unassigned" if found.vacant else occasion.kind
        stage = f"{occasion.kind}-{occasion.stage}" + (f"-{role}" if kind == "unassigned" else "")
        for person in recipients:
            def context(person: PersonDef = person, lang: str = person.lang) -> dict[str, Any]:
                return {
                    "kind": kind, "person": person.name, "person_id": person.id,
                    "area": self.directory.area_name(row.area_id), "area_id": row.area_id,
                    "milestone": ms.title.get(lang), "milestone_id": ms.id, "done_when": ms.done_when.get(lang),
                    "phase": phase.title.get(lang), "cycle": row.cycle, "due": row.due_date,
                    "days": abs(occasion.days_overdue), "evidence_required": ms.evidence_required,
                    "role": self.role_title(role, lang), "owner_role": self.role_title(ms.owner, lang),
                    "owners": [p.name for p in self.directory.holders(ms.owner, row.area_id)],
                    "as_of": self.as_of, "municipality": self.defs.org.municipality,
                    "link": self.links.milestone(person.id, row.area_id, row.instance_id),
                }

            yield Notice(
                key=keys.milestone(row.area_id, ms.id, row.instance_id, stage, row.due_date, person.id),
                kind=kind, as_of=self.as_of, area_id=row.area_id, recipient=person.id,
                reference=person.notify, lang=person.lang,
                template="unassigned" if kind == "unassigned" else "milestone", context=context,
                milestone_instance_id=row.instance_id, phase_instance_id=row.phase_instance_id,
                topic=keys.topic_milestone(row.instance_id), due=row.due_date,
                role=self.defs.process.coordinator if found.vacant else role)


def deadline_notices(session: Session, defs: Definitions, as_of: date,
                     composer: Composer | None = None) -> Iterator[Notice]:
    """Every reminder, due-day notice, overdue repeat and escalation the policy calls for on
    ``as_of``, as they are decided (a big city's hundreds of thousands are never all in memory;
    ``outbox.write_new`` takes them a chunk at a time). Nothing on weekends and Swedish holidays:
    those are caught up the next working day."""
    if not calendar.is_business_day(as_of):
        return iter(())
    return _deadline_notices(session, defs, as_of, composer or Composer(defs, as_of))


def _deadline_notices(session: Session, defs: Definitions, as_of: date, composer: Composer) -> Iterator[Notice]:
    policy = defs.process.notification_policy
    today = calendar.business_ordinal(as_of)
    ordinals: dict[date, int] = {}
    # the occasions of a milestone depend on three values only; a city has few distinct ones
    called_for: dict[tuple[int, str, bool], list[Occasion]] = {}
    for row in open_milestones(session, defs, as_of):
        found = composer.milestones.get(row.milestone_id)
        if found is None:
            continue  # removed from phases.yml and not yet retired by `ctc sync`
        due_ordinal = ordinals.get(row.due_date)
        if due_ordinal is None:
            due_ordinal = ordinals[row.due_date] = calendar.business_ordinal(row.due_date)
        ms = found[1]
        situation = (today - due_ordinal, ms.owner, ms.required)
        todays = called_for.get(situation)
        if todays is None:
            todays = called_for[situation] = occasions(policy, *situation, composer.levels)
        for occasion in todays:
            yield from composer.milestone_notices(row, occasion)


def phase_notices(session: Session, defs: Definitions, as_of: date,
                  composer: Composer | None = None) -> list[Notice]:
    """Tell the utvecklingsledare and the områdesteam of each phase opened in the last
    working days: what the phase is about and what is due when."""
    if not calendar.is_business_day(as_of):
        return []
    composer = composer or Composer(defs, as_of)
    since = calendar.add_business_days(as_of, -PHASE_NOTICE_WINDOW)
    pi, mi = PhaseInstance, MilestoneInstance
    phases = session.execute(
        select(pi).join(Area, and_(col(Area.id) == col(pi.area_id), col(Area.active).is_(True)))
        .where(phase_open_sql(as_of), col(pi.opened_on) >= since)
    ).scalars().all()
    if not phases:
        return []
    due_dates: dict[int, dict[str, date | None]] = {}
    rows = session.execute(select(col(mi.phase_instance_id), col(mi.milestone_id), col(mi.due_date))
                           .where(col(mi.phase_instance_id).in_([p.id for p in phases]), col(mi.retired).is_(False)))
    for phase_instance_id, milestone_id, due in rows:
        due_dates.setdefault(phase_instance_id, {})[milestone_id] = due
    planned: list[Notice] = []
    for instance in phases:
        phase = defs.process.phase(instance.phase_id)
        dues = due_dates.get(instance.id or 0, {})
        people = [*composer.directory.holders(defs.process.area_lead, instance.area_id),
                  *composer.directory.holders(defs.process.area_team, instance.area_id)]
        for person in people:
            def context(person: PersonDef = person, instance: PhaseInstance = instance, phase: PhaseDef = phase,
                        dues: dict[str, date | None] = dues) -> dict[str, Any]:
                lang = person.lang
                milestones = sorted(
                    ({"title": m.title.get(lang), "due": dues.get(m.id), "owner": composer.role_title(m.owner, lang),
                      "required": m.required} for m in phase.milestones if m.id in dues),
                    key=lambda m: (m["due"] or date.max, m["title"]))
                return {"person": person.name, "area": composer.directory.area_name(instance.area_id),
                        "area_id": instance.area_id, "phase": phase.title.get(lang), "cycle": instance.cycle,
                        "opened_on": instance.opened_on, "description": phase.description.get(lang),
                        "milestones": milestones, "approver": composer.role_title(phase.gate.approver, lang),
                        "municipality": defs.org.municipality,
                        "link": composer.links.page(person.id, instance.area_id)}

            planned.append(Notice(
                key=keys.phase_opened(instance.area_id, phase.id, instance.id, instance.cycle, person.id),
                kind="phase_opened", as_of=as_of, area_id=instance.area_id, recipient=person.id,
                reference=person.notify, lang=person.lang, template="phase_opened", context=context,
                phase_instance_id=instance.id, topic=keys.topic_phase(instance.id), due=instance.opened_on))
    return planned

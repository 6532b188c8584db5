"""The deadline sweep: one query over every open milestone in every area, the policy applied
in memory, and the notices it calls for — addressed and keyed for the outbox. Their texts are
rendered later, and only for keys the outbox has not seen (``outbox.write_new``).

Nothing here writes or sends anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.definition.process import PhaseDef
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import NoticeKind
from ctcflow.engine.asof import phase_open_sql
from ctcflow.notices.composer import Composer
from ctcflow.notices.milestone_notices import milestone_notices, waiting_notices
from ctcflow.notices.open_work import open_milestones
from ctcflow.notices.outbox import Notice
from ctcflow.notices.policy import Occasion, occasions
from ctcflow.notices.rollup import Rollups
from db.models import Area, MilestoneInstance, PhaseInstance

PHASE_NOTICE_WINDOW = 10  # working days after opening during which the team is told of a new phase


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
    stalled, paused, acks = composer.stalled_areas(session), composer.paused(session), composer.acks(session)
    rollups = Rollups(composer)
    rows = open_milestones(session, defs, as_of)
    open_ids = {(row.phase_instance_id, row.milestone_id) for row in rows}
    for row in rows:
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
        if not todays:
            continue
        blockers = [d for d in ms.depends_on if (row.phase_instance_id, d) in open_ids]
        if blockers:  # it waits on other open work: said once; that work is reminded and escalated
            yield from waiting_notices(composer, row, blockers)
            continue
        topic = keys.topic_milestone(row.instance_id)
        for occasion in todays:
            if occasion.kind == NoticeKind.ESCALATION:
                if row.area_id in stalled or topic in paused:
                    continue  # the area's stall climbs for it / someone has it until a date
                if rollups.takes(occasion):
                    rollups.add(row, occasion)
                    continue
            yield from milestone_notices(composer, row, occasion, acks.get(topic))
    yield from rollups.notices(session)


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

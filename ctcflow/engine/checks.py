"""What each phase checks in the data by itself, for every area at once.

A phase names its checks in phases.yml. Each check is one batch over the open phase instances
that carry it and returns Findings: what is missing, whom to tell, and whether it holds the
gate. Some checks also act on what the data proves (a survey wave completes the analysis
milestones). The gate (engine.approval) asks the blocking checks for the one phase at hand;
the daily flow runs all of them for all areas and tells people through the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.engine.asof import phase_open_sql
from ctcflow.engine.eventlog import PHASE_DATA_EVENTS
from ctcflow.engine.findings import Finding
from ctcflow.engine.phase_checks import CHECKS
from db.models import (
    Area,
    Event,
    PhaseInstance,
)

BLOCKING = ("priority_decision", "programme_coverage")


def open_instances(session: Session, as_of: date, area_ids: Iterable[str] | None = None) -> list[PhaseInstance]:
    """Every phase instance open on ``as_of`` in an active area (revision cycles included)."""
    pi = PhaseInstance
    query = (select(pi).join(Area, and_(col(Area.id) == col(pi.area_id), col(Area.active).is_(True)))
             .where(phase_open_sql(as_of)))
    if area_ids is not None:
        query = query.where(col(pi.area_id).in_(list(area_ids)))
    return list(session.execute(query.order_by(col(pi.area_id), col(pi.id))).scalars())


def evaluate(session: Session, defs: Definitions, as_of: date, area_ids: Iterable[str] | None = None,
             only: Iterable[str] | None = None, instances: list[PhaseInstance] | None = None) -> list[Finding]:
    """All findings of the checks (or ``only`` these) over the open phases, a batch per check."""
    instances = instances if instances is not None else open_instances(session, as_of, area_ids)
    wanted = set(only) if only is not None else None
    by_check: dict[str, list[PhaseInstance]] = {}
    for instance in instances:
        for check in defs.process.phase(instance.phase_id).checks:
            if wanted is None or check in wanted:
                by_check.setdefault(check, []).append(instance)
    findings: list[Finding] = []
    for check_id, batch in by_check.items():
        findings += CHECKS[check_id](session, defs, as_of, batch)
    return findings


def gate_blockers(session: Session, defs: Definitions, instance: PhaseInstance, as_of: date,
                  lang: str = "sv") -> list[str]:
    """What the data still lacks before this phase may be approved (beyond its milestones)."""
    return [f.text(lang) for f in evaluate(session, defs, as_of, only=BLOCKING, instances=[instance])]










def touched_areas(session: Session, as_of: date) -> set[str]:
    """Areas whose phase data changed on ``as_of`` (a decision, a plan entry, a phase opened …)."""
    touched = set(session.execute(select(col(Event.area_id)).where(
        col(Event.effective_on) == as_of, col(Event.kind).in_(PHASE_DATA_EVENTS))).scalars())
    touched |= set(session.execute(
        select(col(PhaseInstance.area_id)).where(col(PhaseInstance.opened_on) == as_of)).scalars())
    return {a for a in touched if a}

"""What the board must read first: the stalls of the report's day (areas planned but not
running, areas gone quiet, roles nobody holds), every escalation that reached the board in the
period, what someone has taken on ("vi tar det") and whether it held, and every start moved in
the period with who decided it — from the same rules that escalated them, so the report and the
mail agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.delivery.kinds import ESCALATION_KINDS
from ctcflow.engine.stalls import Stall, stalls
from ctcflow.report.escalated import Escalated, open_escalations, plain
from ctcflow.report.schedule import Period
from db.models import Event, Notification


@dataclass(frozen=True)
class BoardEscalation:
    """One thing that reached the board: the first day it did, and what it was told."""

    kind: str
    area_id: str | None
    first_on: date
    subject: str


def report_stalls(session: Session, defs: Definitions, as_of: date, area_ids: list[str] | None) -> list[Stall]:
    """The stalls on the report's day, for its areas (an area report: that area's only)."""
    found = stalls(session, defs, as_of)
    if area_ids is None:
        return found
    return [s for s in found if s.area_id in area_ids]


def board_escalations(session: Session, defs: Definitions, period: Period, as_of: date,
                      area_ids: list[str] | None) -> list[BoardEscalation]:
    """Each thing escalated to the board's role from the period's start to the report's day,
    once, with the first day it reached the board and what that first notice said (the date and
    the words of one and the same notice)."""
    board = defs.process.role_of("board")
    if board is None:
        return []
    n = Notification
    query = (select(col(n.kind), col(n.area_id), col(n.topic), func.min(col(n.as_of)), func.min(col(n.id)))
             .where(col(n.role) == board, col(n.kind).in_(ESCALATION_KINDS),
                    col(n.as_of).between(period.start, as_of))
             .group_by(col(n.kind), col(n.area_id), col(n.topic))
             .order_by(func.min(col(n.as_of))))
    if area_ids is not None:
        query = query.where(col(n.area_id).in_(area_ids))
    rows = session.execute(query).all()
    first = dict(session.execute(select(col(n.id), col(n.subject)).where(col(n.id).in_([r[4] for r in rows])))
                 .tuples().all()) if rows else {}
    return [BoardEscalation(kind, area_id, first_on, plain(first.get(first_id, "")))
            for kind, area_id, _, first_on, first_id in rows]


@dataclass(frozen=True)
class StartMove:
    """An area's start moved: a decision, dated, with who made it — never a silent rewrite."""

    area_id: str
    old: str
    new: str
    by: str
    on: date
    note: str | None


def acknowledged(session: Session, defs: Definitions, as_of: date, area_ids: list[str] | None) -> list[Escalated]:
    """The open escalations someone has taken on, holding or lapsed, on the report's day."""
    return [e for e in open_escalations(session, defs, as_of, area_ids) if e.ack is not None]


def start_moves(session: Session, period: Period, as_of: date, area_ids: list[str] | None) -> list[StartMove]:
    """Every area start moved from the period's start to the report's day, oldest first."""
    e = Event
    query = (select(col(e.area_id), col(e.old), col(e.new), col(e.actor), col(e.effective_on), col(e.note))
             .where(col(e.kind) == "area_start_changed", col(e.effective_on).between(period.start, as_of))
             .order_by(col(e.effective_on), col(e.id)))
    if area_ids is not None:
        query = query.where(col(e.area_id).in_(area_ids))
    return [StartMove(area_id or "", old or "", new or "", actor, on, note)
            for area_id, old, new, actor, on, note in session.execute(query)]

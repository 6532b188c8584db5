"""The escalation log of a report: every thing told to someone above its owner from a day on —
a missed report, a stalled area, a vacancy, an area's late work, a single milestone — one line
per episode, from the notices' own data (kind, area, the due date it was told with, the first
day, the highest role told, the day it reached the board), with how it stands on the report's
day: resolved, open, or taken on by someone (holding or lapsed). Things still open that began
before the log's first day are in it too: an open matter is never out of the board's sight
because an earlier report was missed or its period is over."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.definition.loader import Definitions
from ctcflow.delivery.kinds import weight
from ctcflow.engine.stalls import Stall
from ctcflow.notices.acks import Ack
from ctcflow.report.escalated import Escalated, open_escalations, plain, told_rows
from db.models import Notification

RESOLVED, OPEN, HELD, LAPSED = "resolved", "open", "held", "lapsed"


@dataclass(frozen=True)
class Logged:
    topic: str
    kind: str
    area_id: str | None
    subject: str
    due: date | None  # the due date (or the day the stall began) it was told with
    first_on: date
    highest: str  # the highest role told
    board_on: date | None
    outcome: str  # RESOLVED | OPEN | HELD | LAPSED on the report's day
    ack: Ack | None = None

    @property
    def reached_board(self) -> bool:
        return self.board_on is not None

    @property
    def weight(self) -> int:
        return weight(self.kind)


def escalation_log(session: Session, defs: Definitions, since: date, as_of: date,
                   area_ids: list[str] | None = None, stalls_today: list[Stall] | None = None) -> list[Logged]:
    """Every episode escalated from ``since`` to ``as_of`` and every one still open, oldest first."""
    n = Notification
    episodes: dict[tuple[str, date | None], list[tuple[str, str | None, str | None, date, int]]] = defaultdict(list)
    for topic, due, kind, area_id, role, first, newest in told_rows(session, since, as_of, area_ids):
        episodes[(topic, due)].append((kind, area_id, role, first, newest))
    still = {e.topic: e for e in open_escalations(session, defs, as_of, area_ids, stalls_today)}
    newest_of: dict[str, tuple[int, date | None]] = {}
    for (topic, due), rows in episodes.items():
        newest = max(r[4] for r in rows)
        if newest > newest_of.get(topic, (-1, None))[0]:
            newest_of[topic] = (newest, due)
    subjects = dict(session.execute(select(col(n.id), col(n.subject)).where(col(n.id).in_(
        [max(r[4] for r in rows) for rows in episodes.values()]))).tuples().all()) if episodes else {}
    levels, board = defs.process.levels, defs.process.role_of("board")
    logged = []
    for (topic, due), rows in episodes.items():
        current = topic in still and newest_of[topic][1] == due
        ack = still[topic].ack if current else None
        logged.append(Logged(
            topic, min((r[0] for r in rows), key=weight), rows[0][1], plain(subjects.get(max(r[4] for r in rows), "")),
            due, min(r[3] for r in rows),
            max((r[2] for r in rows if r[2]), key=lambda role: levels.get(role, -1), default=""),
            min((r[3] for r in rows if r[2] == board), default=None), _outcome(current, ack, as_of), ack))
    logged += [_from_open(e, as_of) for topic, e in still.items() if topic not in newest_of]
    return sorted(logged, key=lambda e: (e.first_on, e.weight, e.topic))


def _outcome(current: bool, ack: Ack | None, as_of: date) -> str:
    if not current:
        return RESOLVED
    if ack is None:
        return OPEN
    return HELD if ack.holds(as_of) else LAPSED


def _from_open(e: Escalated, as_of: date) -> Logged:
    """A thing still open whose notices all came before the log's first day."""
    return Logged(e.topic, e.kind, e.area_id, e.subject, None, e.first_on, e.highest, e.board_on,
                  _outcome(True, e.ack, as_of), e.ack)

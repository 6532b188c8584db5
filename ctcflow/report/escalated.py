"""The open escalations on a day: every thing told to someone above its owner that is still
open — a missed report, a stalled area, a vacancy, an area's late work rolled up, a single
milestone — with the first day it climbed, the highest role told, the day it reached the board,
and its acknowledgement. One rule for the overview, ``ctc status``, the report to the board and
the acknowledge form: what the briefs told is what they all show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.core.words import LANGUAGES, N_, words
from ctcflow.definition.loader import Definitions
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import ESCALATION_KINDS, weight
from ctcflow.engine.asof import open_on_sql
from ctcflow.engine.stalls import Stall, stalls
from ctcflow.notices.acks import Ack, acks_on
from ctcflow.notices.stalls import topic_of
from ctcflow.report.schedule import open_occasions
from db.models import MilestoneInstance, Notification
from db.statuses import NoticeStatus


@dataclass(frozen=True)
class Escalated:
    topic: str
    kind: str  # the heaviest kind it was told as (delivery.kinds.weight)
    area_id: str | None
    subject: str  # as its latest escalation said it, without the rung's "Eskalering: " and the like
    first_on: date  # the first day someone above the owner was told
    highest: str  # the highest role told so far
    board_on: date | None  # the first day it reached the board
    ack: Ack | None = None  # its latest acknowledgement (holding or lapsed)

    @property
    def weight(self) -> int:
        return weight(self.kind)


def told_rows(session: Session, since: date | None, as_of: date, area_ids: list[str] | None
              ) -> list[tuple[str, date | None, str, str | None, str | None, date, int]]:
    """Each (thing, episode, kind, area, role) told above its owner from ``since`` (None: ever)
    to ``as_of``, with the first day and the newest notice: what the open escalations and a
    report's escalation log are both made of."""
    n = Notification
    query = (select(col(n.topic), col(n.due), col(n.kind), col(n.area_id), col(n.role), func.min(col(n.as_of)),
                    func.max(col(n.id)))
             .where(col(n.kind).in_(ESCALATION_KINDS), col(n.as_of) <= as_of, col(n.status) != NoticeStatus.CANCELLED,
                    col(n.topic).is_not(None))
             .group_by(col(n.topic), col(n.due), col(n.kind), col(n.area_id), col(n.role)))
    if since is not None:
        query = query.where(col(n.as_of) >= since)
    if area_ids is not None:
        query = query.where(col(n.area_id).in_(area_ids))
    return [tuple(row) for row in session.execute(query)]


def open_escalations(session: Session, defs: Definitions, as_of: date, area_ids: list[str] | None = None,
                     stalls_today: list[Stall] | None = None) -> list[Escalated]:
    """Every escalated thing still open on ``as_of``, heaviest first, then oldest — as it stands
    now: a thing that was escalated, resolved and escalated again (a stall that began anew, an
    area late again) counts from its current episode, the one its newest notice is about (same
    ``due``: the due date, or the day the stall or the area's lateness began)."""
    n = Notification
    levels, board = defs.process.levels, defs.process.role_of("board")
    told: dict[str, list[tuple[date | None, str, str | None, str | None, date, int]]] = defaultdict(list)
    for topic, due, kind, area_id, role, first, newest in told_rows(session, None, as_of, area_ids):
        told[topic].append((due, kind, area_id, role, first, newest))
    still = _still_open(session, defs, as_of, set(told), stalls_today)
    latest = {topic: max(told[topic], key=lambda r: r[5]) for topic in still}
    subjects = dict(session.execute(select(col(n.id), col(n.subject)).where(col(n.id).in_(
        [r[5] for r in latest.values()]))).tuples().all()) if latest else {}
    acks = acks_on(session, as_of, set(still))
    found = []
    for topic in still:
        rows = [r for r in told[topic] if r[0] == latest[topic][0]]  # the current episode only
        kind = min((r[1] for r in rows), key=weight)
        highest = max((r[3] for r in rows if r[3]), key=lambda role: levels.get(role, -1), default="")
        board_on = min((r[4] for r in rows if r[3] == board), default=None)
        subject = plain(subjects.get(latest[topic][5], ""))
        found.append(Escalated(topic, kind, rows[0][2], subject, min(r[4] for r in rows), highest, board_on,
                               acks.get(topic)))
    return sorted(found, key=lambda e: (e.weight, e.first_on, e.topic))


# What the rungs above the first put before a thing's subject (templates/mail/parts.txt.j2 and
# report_due): the thing in words is what follows — in whichever language the mail was written.
RUNG_PREFIXES = (N_("Still unresolved, to the municipal board: "), N_("To the municipal board: "),
                 N_("Escalation: "), N_("Still not sent: "))


def plain(subject: str) -> str:
    """The thing in words, without the prefix its rung gave it."""
    for prefix in (words(lang)(p) for lang in LANGUAGES for p in RUNG_PREFIXES):
        if subject.startswith(prefix):
            return subject[len(prefix):]
    return subject


def _still_open(session: Session, defs: Definitions, as_of: date, topics: set[str],
                stalls_today: list[Stall] | None) -> list[str]:
    """Of ``topics``, the things still open on ``as_of`` (``stalls_today``: the day's stalls,
    when the caller has them already)."""
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for topic in topics:
        by_prefix[topic.split("/", 1)[0]].append(topic)
    still: list[str] = []
    if by_prefix["stall"]:
        current = {topic_of(s) for s in (stalls(session, defs, as_of) if stalls_today is None else stalls_today)}
        still += [t for t in by_prefix["stall"] if t in current]
    if by_prefix["report"]:
        unsent = {keys.topic_report(o.key) for o in open_occasions(session, defs, as_of, as_of)}
        still += [t for t in by_prefix["report"] if t in unsent]
    mi = MilestoneInstance
    if by_prefix["milestone"]:
        ids = {int(t.split("/", 1)[1]): t for t in by_prefix["milestone"]}
        open_ids = session.execute(select(col(mi.id)).where(col(mi.id).in_(ids), col(mi.retired).is_(False),
                                                            open_on_sql(as_of))).scalars()
        still += [ids[i] for i in open_ids]
    if by_prefix["late"]:
        ladder = defs.process.notification_policy.escalation.milestone
        late_before = calendar.add_business_days(as_of, -(ladder[0].after if ladder else 0))
        areas = {t.split("/", 1)[1]: t for t in by_prefix["late"]}
        late = session.execute(select(col(mi.area_id)).distinct()
                               .where(col(mi.area_id).in_(areas), col(mi.retired).is_(False),
                                      col(mi.due_date) < late_before, open_on_sql(as_of))).scalars()
        still += [areas[a] for a in late]
    return still

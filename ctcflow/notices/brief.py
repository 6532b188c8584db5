"""One ranked brief per person and working day (or week): what was escalated to them, what is
due today, what is overdue (oldest first, per area), what is coming up — each thing once,
however many notices about it were decided since the last brief.

The notices themselves are decided, keyed and stored exactly once as before; they wait ``held``
until a brief carries them. Composing a brief is one transaction: items resolved meanwhile are
cancelled (nobody reads about finished work), a brief that could not be delivered hands its
items to this one, and the brief row and its items' ``brief_id`` are written together. Each
item therefore ends in exactly one delivered brief — or, while the channel fails, stays in the
newest undelivered one. Nothing is lost and nothing is told twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from ctcflow.core import calendar
from ctcflow.core.calendar import STOCKHOLM
from ctcflow.definition.organisation import PersonDef
from ctcflow.delivery import keys
from ctcflow.delivery.claims import cancel_obsolete
from ctcflow.delivery.kinds import BRIEF
from ctcflow.engine.mornings import gap_roles, last_morning_before, missed_between
from ctcflow.notices.composer import Composer
from ctcflow.notices.digest import weekly_overview
from ctcflow.notices.handover import Handover, handovers
from ctcflow.notices.outbox import Planned, enqueue
from ctcflow.notices.ranking import Item, fold, rank
from ctcflow.notices.stalls import topic_of
from ctcflow.notices.undelivered import undelivered
from db.engine import rows_affected
from db.models import Notification
from db.statuses import NoticeStatus


def brief_time(day: date, hour: int) -> datetime:
    """When the brief of ``day`` may go out: its hour, Stockholm time, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM).astimezone(UTC)


def brief_due(day: date, hour: int, now: datetime) -> bool:
    """A past day's brief is always due (a replay, a catch-up); today's from its hour on."""
    return now >= brief_time(day, hour)


def compose_briefs(session: Session, composer: Composer, now: datetime | None = None) -> list[Planned]:
    """The briefs of ``composer.as_of`` for everyone whose brief is due: written with their items
    in this transaction; returns the briefs written."""
    defs, as_of = composer.defs, composer.as_of
    policy = defs.process.notification_policy.brief
    if not calendar.is_business_day(as_of) or not brief_due(as_of, policy.hour, now or datetime.now(tz=UTC)):
        return []
    cancel_obsolete(session)
    _cancel_resolved_stalls(session, composer)
    _take_back_undelivered(session, as_of)
    people = {p.id: p for p in defs.org.everyone()}
    held = _held_by_person(session)
    for person_id in [p for p in held if p not in people]:  # gone from areas.yml: nobody to tell
        _cancel(session, [i.id for i in held.pop(person_id)], "the person is no longer in areas.yml")
    had_this_week, had_today, overview_had = _briefs_had(session, as_of)
    coordinators = {p.id for p in composer.directory.coordinators()}
    # the working days before today that had no morning: the software's own stall, told up its
    # ladder (phases.yml escalation: morning) in this brief
    gap = missed_between(last_morning_before(session, as_of), as_of)
    told_of_gap = {p.id for role in gap_roles(defs, len(gap)) for p in composer.directory.holders(role, None)}
    taking_over = handovers(session, defs, as_of, set(held))
    failing = {lang: undelivered(session, defs.names(lang)["person"], now or datetime.now(tz=UTC))
               for lang in {people[c].lang for c in coordinators if c in people}}
    written: list[Planned] = []
    for person_id in sorted(set(held) | coordinators | (told_of_gap if gap else set())):
        person = people.get(person_id)
        if person is None or person_id in had_today:
            continue
        if person.brief == "weekly" and person_id in had_this_week:
            continue
        items = held.get(person_id, [])
        overview = person_id in coordinators and person_id not in overview_had
        told = failing.get(person.lang, []) if person_id in coordinators else []
        their_gap = gap if person_id in told_of_gap else []
        if not items and not overview and not told and not their_gap:
            continue
        brief, shown = _render(session, composer, person, items, overview, told, taking_over.get(person_id),
                               their_gap)
        new = enqueue(session, [brief], now=brief_time(as_of, policy.hour))
        if not new:
            continue  # a concurrent run wrote this brief first; its items are its own
        brief_id = session.execute(select(col(Notification.id)).where(col(Notification.key) == brief.key)).scalar_one()
        if shown:  # only what the brief shows is delivered by it; folded lines wait for the next
            session.execute(update(Notification)
                            .where(col(Notification.id).in_(shown), col(Notification.status) == NoticeStatus.HELD)
                            .values(status=NoticeStatus.BRIEFED, brief_id=brief_id))
        written.append(brief)
    return written


def _render(session: Session, composer: Composer, person: PersonDef, items: list[Item], overview: bool,
            undelivered: list[dict[str, Any]], handover: Handover | None,
            morning_gap: list[date]) -> tuple[Planned, list[int]]:
    """The brief's text, and the notices it shows (all of them in a handover brief; otherwise all
    but the routine lines past the day's budget)."""
    as_of, lang = composer.as_of, person.lang
    policy = composer.defs.process.notification_policy.brief

    def link(item: Item) -> str | None:
        if item.milestone_instance_id is not None and item.area_id:
            return composer.links.milestone(person.id, item.area_id, item.milestone_instance_id)
        return composer.links.page(person.id, item.area_id) if item.area_id else composer.links.page(person.id)

    acks = {topic: {"by": composer.defs.name("person", ack.by, lang), "until": ack.until, "plan": ack.plan}
            for topic, ack in composer.paused(session).items()}
    content = rank(items, composer.directory.area_name, as_of, link, acks)
    if handover is None:
        content = fold(content, policy.max_lines)
    week = as_of.isocalendar()
    context: dict[str, Any] = {
        "person": person.name, "as_of": as_of, "week": week.week, "weekly": person.brief == "weekly",
        "sections": content.sections, "folded": content.folded, "items": len(items),
        "handover": handover.context(composer, lang) if handover else None,
        "municipality": composer.defs.org.municipality, "link": composer.links.page(person.id),
        "overview": weekly_overview(session, composer, lang) if overview else None,
        "undelivered": undelivered, "morning_gap": morning_gap,
    }
    subject, body = composer.templates.render("brief", lang, **context)
    return (Planned(key=keys.brief(as_of, person.id), kind=BRIEF, as_of=as_of, area_id=None, recipient=person.id,
                    reference=person.notify, lang=lang, subject=subject, body=body, status=NoticeStatus.PENDING,
                    topic=keys.topic_overview(as_of) if overview else None),
            content.shown_ids)


def _held_by_person(session: Session) -> dict[str, list[Item]]:
    n = Notification
    rows = session.execute(
        select(col(n.id), col(n.recipient), col(n.kind), col(n.topic), col(n.due), col(n.area_id), col(n.subject),
               col(n.as_of), col(n.milestone_instance_id))
        .where(col(n.status) == NoticeStatus.HELD).order_by(col(n.id))).all()
    held: dict[str, list[Item]] = defaultdict(list)
    for id_, recipient, kind, topic, due, area_id, subject, decided, instance_id in rows:
        held[recipient].append(Item(id_, kind, topic, due, area_id, subject, decided, instance_id))
    return held


def _briefs_had(session: Session, as_of: date) -> tuple[set[str], set[str], set[str]]:
    """Who had a brief this ISO week (not cancelled), who today, who this week's overview."""
    monday = as_of - timedelta(days=as_of.weekday())
    n = Notification
    rows = session.execute(select(col(n.recipient), col(n.as_of), col(n.topic))
                           .where(col(n.kind) == BRIEF, col(n.as_of).between(monday, as_of),
                                  col(n.status) != NoticeStatus.CANCELLED)).all()
    return ({r for r, _, _ in rows}, {r for r, d, _ in rows if d == as_of},
            {r for r, _, t in rows if keys.is_overview(t)})


def _take_back_undelivered(session: Session, as_of: date) -> None:
    """A brief of an earlier day that has not gone out (its channel failed, or no delivery ran)
    hands its items to today's: they stay pending for the next brief, never lost."""
    n = Notification
    stale = list(session.execute(
        update(n).where(col(n.kind) == BRIEF, col(n.as_of) < as_of,
                        col(n.status).in_((NoticeStatus.PENDING, NoticeStatus.FAILED)))
        .values(status=NoticeStatus.CANCELLED, last_error="not delivered; its items went into the next brief")
        .returning(col(n.id))).scalars())
    if stale:
        session.execute(update(n).where(col(n.brief_id).in_(stale), col(n.status) == NoticeStatus.BRIEFED)
                        .values(status=NoticeStatus.HELD, brief_id=None))


def _cancel_resolved_stalls(session: Session, composer: Composer) -> None:
    """Held notices about a stall or vacancy that has ended are not told."""
    current = {topic_of(s) for s in composer.stalls(session)}
    n = Notification
    waiting = session.execute(select(col(n.id), col(n.topic))
                              .where(col(n.status) == NoticeStatus.HELD, col(n.topic).like(keys.STALL_TOPICS))).all()
    _cancel(session, [i for i, topic in waiting if topic not in current], "resolved before the brief")


def _cancel(session: Session, ids: list[int], why: str) -> int:
    if not ids:
        return 0
    result = session.execute(update(Notification).where(col(Notification.id).in_(ids),
                                                        col(Notification.status) == NoticeStatus.HELD)
                             .values(status=NoticeStatus.CANCELLED, last_error=why))
    return rows_affected(result)


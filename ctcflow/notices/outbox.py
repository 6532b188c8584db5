"""The notification outbox: what the process has called for, written once per occasion.

``enqueue`` inserts with ON CONFLICT DO NOTHING on the idempotency key, so a sweep that runs
twice, is retried, or races another sweep adds each notice exactly once — the database
decides, not the caller. Each row is written ``pending`` (sent at once) or ``held`` for the
person's next brief, as ``routing`` decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.core.flat import flat
from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.core.streams import chunked
from ctcflow.definition.policy import BriefPolicy
from ctcflow.notices.routing import route
from db.engine import insert_ignoring_duplicates, table_of
from db.models import Notification
from db.statuses import NoticeStatus

if TYPE_CHECKING:
    from ctcflow.core.templating import Renderer

CHUNK = 2000


@dataclass(frozen=True, kw_only=True)
class Envelope:
    """Who is told, about what, on which occasion (the key)."""

    key: str
    kind: str
    as_of: date
    area_id: str | None
    recipient: str
    reference: str
    lang: str
    milestone_instance_id: int | None = None
    phase_instance_id: int | None = None
    attachment_id: int | None = None  # an archived report sent with the message
    topic: str | None = None  # the thing it is about (keys.topic_*)
    due: date | None = None  # when that thing fell due, or the stall began
    role: str | None = None  # the role the person is told as


@dataclass(frozen=True, kw_only=True)
class Planned(Envelope):
    """A notice with its text: the row ``enqueue`` inserts."""

    subject: str
    body: str
    status: str = NoticeStatus.PENDING  # pending: sent at once; held: waits for the person's brief


@dataclass(frozen=True, kw_only=True)
class Notice(Envelope):
    """A notice decided by the sweep. Its text is rendered only if the key is new, so a morning
    that repeats itself costs no rendering."""

    template: str
    context: Callable[[], dict[str, Any]]

    def render(self, renderer: Renderer, status: str = NoticeStatus.PENDING) -> Planned:
        subject, body = renderer.render(self.template, self.lang, **self.context())
        return Planned(**flat(self, Envelope), subject=subject, body=body, status=status)


def write_new(session: Session, notices: Iterable[Notice], renderer: Renderer, policy: BriefPolicy) -> list[Planned]:
    """Route the notices not in the outbox yet (at once or the next brief), render them and
    insert them, a chunk at a time (a big city's morning is never all in memory at once);
    returns what was inserted (a concurrent sweep that inserted a key first wins, and this one
    skips it). Only new keys are rendered: a morning that repeats itself renders nothing."""
    written: list[Planned] = []
    with cyclic_gc_paused():
        for chunk in chunked(notices, CHUNK):
            fresh = new_notices(session, chunk)
            statuses = route(session, fresh, policy)  # counts what earlier chunks inserted: same transaction
            planned = [n.render(renderer, status) for n, status in zip(fresh, statuses, strict=True)]
            inserted = set(enqueue(session, planned))
            written += [p for p in planned if p.key in inserted]
    return written


def new_notices(session: Session, notices: Iterable[Notice]) -> list[Notice]:
    """The notices whose keys the outbox has not seen: what ``write_new`` would insert (the dry
    run's answer, decided without rendering a word)."""
    fresh: list[Notice] = []
    for chunk in chunked(notices, CHUNK):
        known = existing_keys(session, [n.key for n in chunk])
        fresh += [n for n in chunk if n.key not in known]
    return fresh


def enqueue(session: Session, planned: Iterable[Planned], now: datetime | None = None) -> list[str]:
    """Write the notices not written before; returns the keys that are new."""
    now = now or datetime.now(tz=UTC)
    rows = [{**flat(p), "attempts": 0, "created_at": now, "next_attempt_at": now} for p in planned]
    table = table_of(Notification)
    statement = insert_ignoring_duplicates(session, table, ["key"]).returning(table.c.key)
    new: list[str] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        result = session.execute(statement, chunk)
        new += result.scalars().all()
    return new


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        found.update(session.execute(select(col(Notification.key)).where(col(Notification.key).in_(chunk))).scalars())
    return found

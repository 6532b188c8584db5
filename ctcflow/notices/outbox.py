"""The notification outbox: what the process has called for, written once per occasion.

``enqueue`` inserts with ON CONFLICT DO NOTHING on the idempotency key, so a sweep that runs
twice, is retried, or races another sweep adds each notice exactly once — the database
decides, not the caller. Each row is written ``pending`` (sent at once) or ``held`` for the
person's next brief, as ``routing`` decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.core.gcpause import cyclic_gc_paused
from ctcflow.definition.process import BriefPolicy
from ctcflow.notices.routing import route
from db.engine import insert_ignoring_duplicates, table_of
from db.models import Notification

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
    status: str = "pending"  # pending: sent at once; held: waits for the person's brief


@dataclass(frozen=True, kw_only=True)
class Notice(Envelope):
    """A notice decided by the sweep. Its text is rendered only if the key is new, so a morning
    that repeats itself costs no rendering."""

    template: str
    context: Callable[[], dict[str, Any]]

    def render(self, renderer: Renderer) -> Planned:
        subject, body = renderer.render(self.template, self.lang, **self.context())
        envelope = {f.name: getattr(self, f.name) for f in fields(Envelope)}
        return Planned(**envelope, subject=subject, body=body)


def write_new(session: Session, notices: list[Notice], renderer: Renderer, policy: BriefPolicy) -> list[Planned]:
    """Render the notices not in the outbox yet, route them (at once or the next brief) and
    insert them; returns what was inserted (a concurrent sweep that inserted a key first wins,
    and this one skips it)."""
    with cyclic_gc_paused():
        fresh = render_new(session, notices, renderer, policy)
        inserted = set(enqueue(session, fresh))
        return [p for p in fresh if p.key in inserted]


def render_new(session: Session, notices: list[Notice], renderer: Renderer, policy: BriefPolicy) -> list[Planned]:
    """What ``write_new`` would insert, writing nothing (the dry run)."""
    known = existing_keys(session, [n.key for n in notices])
    fresh = [n.render(renderer) for n in notices if n.key not in known]
    return [replace(p, status=status) for p, status in zip(fresh, route(session, fresh, policy), strict=True)]


def enqueue(session: Session, planned: Iterable[Planned], now: datetime | None = None) -> list[str]:
    """Write the notices not written before; returns the keys that are new."""
    now = now or datetime.now(tz=UTC)
    rows = [{**asdict(p), "attempts": 0, "created_at": now, "next_attempt_at": now} for p in planned]
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

"""The notification outbox: what the process has called for, written once per occasion.

``enqueue`` inserts with ON CONFLICT DO NOTHING on the idempotency key, so a sweep that runs
twice, is retried, or races another sweep adds each notice exactly once — the database
decides, not the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from db.models import Notification

CHUNK = 2000


@dataclass(frozen=True)
class Planned:
    """A notice decided but not yet written: the row ``enqueue`` inserts."""

    key: str
    kind: str
    as_of: date
    area_id: str | None
    recipient: str
    reference: str
    lang: str
    subject: str
    body: str
    milestone_instance_id: int | None = None
    phase_instance_id: int | None = None


def _insert(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    table = Notification.__table__
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
    raise NotImplementedError(f"the outbox needs SQLite or PostgreSQL, not {dialect}")


def enqueue(session: Session, planned: Iterable[Planned], now: datetime | None = None) -> list[str]:
    """Write the notices not written before; returns the keys that are new."""
    now = now or datetime.now(tz=UTC)
    rows = [{**asdict(p), "status": "pending", "attempts": 0, "created_at": now, "next_attempt_at": now}
            for p in planned]
    new: list[str] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        result = session.execute(_insert(session).returning(Notification.__table__.c.key),
                                 chunk)
        new += result.scalars().all()
    return new


def existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        found.update(session.execute(select(Notification.key).where(Notification.key.in_(chunk))).scalars())
    return found

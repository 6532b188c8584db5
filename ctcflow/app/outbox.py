"""The outbox as the coordinator sees it: what was decided and sent, retrying failures now."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlmodel import col

from ctcflow.delivery.state import failing_sql
from db.engine import require_current_schema, rows_affected, session_scope
from db.models import Notification


def outbox_rows(status: str | None, area_id: str | None, limit: int) -> list[Notification]:
    """Newest first; ``failing`` means pending after at least one failed attempt."""
    require_current_schema()
    query = select(Notification).order_by(col(Notification.id).desc()).limit(limit)
    if status == "failing":
        query = query.where(failing_sql())
    elif status:
        query = query.where(col(Notification.status) == status)
    if area_id:
        query = query.where(col(Notification.area_id) == area_id)
    with session_scope() as session:
        return list(session.execute(query).scalars())


def retry_now(ids: list[int]) -> int:
    """Make pending deliveries due at once (all that have failed when ``ids`` is empty)."""
    require_current_schema()
    query = update(Notification).where(col(Notification.status) == "pending")
    query = query.where(col(Notification.id).in_(ids)) if ids else query.where(failing_sql())
    with session_scope() as session:
        return rows_affected(session.execute(query.values(next_attempt_at=datetime.now(tz=UTC))))

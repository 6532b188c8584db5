"""What the outbox's states mean to the people watching it — each rule once."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_
from sqlmodel import col

from db.models import Notification


def failing_sql() -> ColumnElement[bool]:
    """A delivery that keeps failing: still to be sent after at least one failed attempt."""
    return and_(col(Notification.status) == "pending", col(Notification.attempts) > 0)

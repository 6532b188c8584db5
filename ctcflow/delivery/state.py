"""What the outbox's states mean to the people watching it — each rule once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col

from ctcflow.delivery.failures import PERMANENT, SETUP
from db.models import Notification
from db.statuses import NoticeStatus


def failing_sql() -> ColumnElement[bool]:
    """A delivery that failed and waits: refused for good (``failed``, until someone fixes the
    address), or still to be retried after a failed attempt."""
    return or_(col(Notification.status) == NoticeStatus.FAILED,
               and_(col(Notification.status) == NoticeStatus.PENDING, col(Notification.failure).is_not(None)))


def is_failing(row: Notification) -> bool:
    """``failing_sql`` for a row already read."""
    return row.status == NoticeStatus.FAILED or (row.status == NoticeStatus.PENDING and row.failure is not None)


def to_tell_sql(now: datetime, alarm: timedelta) -> ColumnElement[bool]:
    """A failure the samordnare must hear of: a refusal or a wrong channel at once, a passing
    fault once it has lasted ``alarm`` (until then it is retried quietly)."""
    return and_(failing_sql(), or_(col(Notification.failure).in_((PERMANENT, SETUP)),
                                   col(Notification.failing_since) <= now - alarm))

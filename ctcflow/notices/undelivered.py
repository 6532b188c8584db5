"""Whose messages do not get through, for the samordnare's brief: one line per person — the
server's own words, how many messages wait and since when. A refusal or a wrong channel is told
at once; a passing fault only once it has lasted ``CTC_DELIVERY_ALARM_HOURS`` (until then it is
retried quietly). The rule of what to tell lives in ctcflow.delivery.state."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.core.config import get_settings
from ctcflow.delivery.failures import PERMANENT, SETUP
from ctcflow.delivery.state import to_tell_sql
from db.models import Notification


def undelivered(session: Session, names: dict[str, str], now: datetime) -> list[dict[str, Any]]:
    """Per person whose deliveries fail: their name, the latest failure in the server's words,
    what kind of fault it is, how many messages wait and since when (the working day the oldest
    of them was decided)."""
    n = Notification
    alarm = timedelta(hours=get_settings().delivery_alarm_hours)
    rows = session.execute(
        select(col(n.recipient), func.count(), func.min(col(n.as_of)), func.max(col(n.id)))
        .where(to_tell_sql(now, alarm)).group_by(col(n.recipient)).order_by(col(n.recipient))).all()
    latest = {i: (error, failure) for i, error, failure in session.execute(
        select(col(n.id), col(n.last_error), col(n.failure)).where(col(n.id).in_([r[3] for r in rows])))}
    return [{"person": names.get(recipient, recipient), "count": count, "since": since,
             "error": latest[last][0] or "",
             "fix": latest[last][1] in (PERMANENT, SETUP)}
            for recipient, count, since, last in rows]

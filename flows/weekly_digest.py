"""Monday morning: one summary per central coordinator."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.common import day
from flows.deliver_notifications import deliver_notifications
from tasks.models import SweepSummary
from tasks.notices import compose_weekly_digest
from tasks.reporting import publish_status


@flow(name="weekly-digest", log_prints=True)
def weekly_digest(as_of: date | None = None, deliver: bool = True) -> SweepSummary:
    today = day(as_of)
    result = compose_weekly_digest(today)
    sections = {"digests": [n.line() for n in result.new]}
    if deliver and result.new:
        sections |= deliver_notifications(today).sections()
    publish_status(today, "weekly-digest", sections)
    return result

"""Open the next phase where a gate was approved (and new uppföljning cycles); tell the team."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.common import day, per_tenant
from flows.deliver_notifications import deliver_notifications
from tasks.models import SweepSummary
from tasks.notices import open_phases_and_notify
from tasks.reporting import publish_status


@flow(name="advance-phases", log_prints=True)
@per_tenant
def advance_phases(as_of: date | None = None, deliver: bool = True, tenant: str | None = None) -> SweepSummary:
    today = day(as_of)
    result = open_phases_and_notify(today)
    print(f"{today}: {len(result.opened)} phases opened, {len(result.new)} notices to the teams")
    sections = {"opened_phases": [o.line() for o in result.opened], "new_notices": [n.line() for n in result.new]}
    if deliver and result.business_day and result.new:
        sections |= deliver_notifications(today, briefs=False).sections()
    publish_status(today, "advance-phases", sections)
    return result

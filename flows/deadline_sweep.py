"""Every working-day morning: reminders, due-day notices, overdue repeats and escalations."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.common import day, per_tenant
from flows.deliver_notifications import deliver_notifications
from tasks.models import DeliverySummary, SweepSummary
from tasks.notices import decide_deadline_notices
from tasks.reporting import publish_status


class DeadlineSweep(SweepSummary):
    delivery: DeliverySummary | None = None


@flow(name="deadline-sweep", log_prints=True)
@per_tenant
def deadline_sweep(as_of: date | None = None, deliver: bool = True, tenant: str | None = None) -> DeadlineSweep:
    """Decide the day's notices over all areas at once, write the new ones to the outbox
    (exactly once per occasion), then deliver them."""
    today = day(as_of)
    result = DeadlineSweep(**decide_deadline_notices(today).model_dump())
    print(f"{today}: {result.decided} notices called for, {len(result.new)} new")
    sections = {"new_notices": [n.line() for n in result.new]}
    if deliver and result.business_day:
        result.delivery = deliver_notifications(today)
        sections |= result.delivery.sections()
    publish_status(today, "deadline-sweep", sections)
    return result

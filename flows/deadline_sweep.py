"""Every working-day morning: reminders, due-day notices, overdue repeats and escalations."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.common import day, delivery_sections, notice_lines
from flows.deliver_notifications import deliver_notifications
from tasks.notices import decide_deadline_notices
from tasks.reporting import publish_status


@flow(name="deadline-sweep", log_prints=True)
def deadline_sweep(as_of: date | None = None, deliver: bool = True) -> dict[str, Any]:
    """Decide the day's notices over all areas at once, write the new ones to the outbox
    (exactly once per occasion), then deliver them."""
    today = day(as_of)
    decided = decide_deadline_notices(today)
    print(f"{today}: {decided['decided']} notices called for, {len(decided['new'])} new")
    sections = {"Nya utskick": notice_lines(decided)}
    if deliver and decided["business_day"]:
        delivery = deliver_notifications(today)
        sections |= delivery_sections(delivery)
        decided["delivery"] = delivery
    publish_status(today, "ctc-deadline-sweep", "Bevakning av tidsfrister", sections)
    return decided

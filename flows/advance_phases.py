"""Open the next phase where a gate was approved (and new uppföljning cycles); tell the team."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.common import day, delivery_sections, notice_lines
from flows.deliver_notifications import deliver_notifications
from tasks.notices import open_phases_and_notify
from tasks.reporting import publish_status


@flow(name="advance-phases", log_prints=True)
def advance_phases(as_of: date | None = None, deliver: bool = True) -> dict[str, Any]:
    today = day(as_of)
    result = open_phases_and_notify(today)
    opened = [f"{o['area']}: {o['phase']} (cykel {o['cycle']})" for o in result["opened"]]
    print(f"{today}: {len(opened)} phases opened, {len(result['new'])} notices to the teams")
    sections = {"Öppnade faser": opened, "Nya utskick": notice_lines(result)}
    if deliver and result["business_day"] and result["new"]:
        sections |= delivery_sections(deliver_notifications(today))
    publish_status(today, "ctc-advance-phases", "Fasövergångar", sections)
    return result

"""Monday morning: one summary per central samordnare."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.common import day, delivery_sections, notice_lines
from flows.deliver_notifications import deliver_notifications
from tasks.notices import compose_weekly_digest
from tasks.reporting import publish_status


@flow(name="weekly-digest", log_prints=True)
def weekly_digest(as_of: date | None = None, deliver: bool = True) -> dict[str, Any]:
    today = day(as_of)
    result = compose_weekly_digest(today)
    sections = {"Veckosammanfattningar": notice_lines(result)}
    if deliver and result["new"]:
        sections |= delivery_sections(deliver_notifications(today))
    publish_status(today, "ctc-weekly-digest", "Veckosammanfattning", sections)
    return result

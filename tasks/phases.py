"""The phases' own work as Prefect tasks: one batch for all areas, one step per area and phase."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task

from ctcflow import jobs


def _summary(work: jobs.PhaseWork) -> dict[str, Any]:
    return {
        "as_of": work.as_of.isoformat(),
        "opened": [{"area": a, "phase": p, "cycle": c} for a, p, c in work.opened],
        "findings": [{"area": f.area_id, "phase": f.phase_id, "cycle": f.cycle, "check": f.check,
                      "blocks_gate": f.blocks_gate, "tell": f.tell, "text": f.text()} for f in work.findings],
        "new": [{"kind": p.kind, "area": p.area_id or "", "recipient": p.recipient, "subject": p.subject}
                for p in work.enqueued],
        "active_areas": work.active_areas,
    }


@task(name="phase-checks-all-areas", retries=2, retry_delay_seconds=30)
def check_all_areas(as_of: date) -> dict[str, Any]:
    """Every area's open phases in one set-based pass; says which areas had something happen."""
    return _summary(jobs.phase_work(as_of))


@task(name="phase-checks-one-area", retries=2, retry_delay_seconds=30)
def check_area(area_id: str, phase_id: str, as_of: date) -> dict[str, Any]:
    summary = _summary(jobs.phase_work(as_of, [area_id]))
    summary["findings"] = [f for f in summary["findings"] if f["phase"] == phase_id]
    return summary

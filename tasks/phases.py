"""The phases' own work as Prefect tasks: one batch for all areas, one step per area and phase."""

from __future__ import annotations

from datetime import date

from prefect import task

from ctcflow.app import jobs
from tasks.models import PhaseWorkSummary


@task(name="phase-checks-all-areas", retries=2, retry_delay_seconds=30)
def check_all_areas(as_of: date) -> PhaseWorkSummary:
    """Every area's open phases in one set-based pass; says which per-area flows to run."""
    return PhaseWorkSummary.of(jobs.phase_work(as_of))


@task(name="phase-checks-one-area", retries=2, retry_delay_seconds=30)
def check_area(area_id: str, phase_id: str, as_of: date) -> PhaseWorkSummary:
    return PhaseWorkSummary.of(jobs.phase_work(as_of, [area_id]), phase_id)

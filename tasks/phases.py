"""The phases' own work as Prefect tasks: one batch for all areas, and one step per area and
phase — the unit the Prefect UI shows an area's day in (named after the phase, the area and the
day, tagged with both). A step is cheap: a morning's hundreds of them run as task runs side by
side in one flow run, where as many flow runs would cost the Prefect server seconds each."""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE

from ctcflow.app import jobs
from tasks.models import PhaseRun, PhaseWorkSummary


@task(name="phase-checks-all-areas", retries=2, retry_delay_seconds=30)
def check_all_areas(as_of: date) -> PhaseWorkSummary:
    """Every area's open phases in one set-based pass; says which per-area steps to run."""
    return PhaseWorkSummary.of(jobs.phase_work(as_of))


@task(name="phase-step", task_run_name="{phase_id} · {area_id} · {as_of}", log_prints=True, retries=2,
      retry_delay_seconds=30, cache_policy=NO_CACHE)  # a step acts on today's data: never a cached answer
def phase_step(area_id: str, phase_id: str, as_of: date, found: PhaseRun | None = None) -> PhaseWorkSummary:
    """One area's phase on one day, told in the run's log: what the day's batch ``found`` there
    (its notices already written), or — a step run on its own — the area checked now."""
    result = (PhaseWorkSummary.of(jobs.phase_work(as_of, [area_id]), phase_id) if found is None
              else PhaseWorkSummary.shown(found, as_of))
    for opened in result.opened:
        print(f"{area_id} {phase_id}: {opened.line()}")
    for finding in result.findings:
        print(f"{area_id} {phase_id}: {finding.text}" + (" (holds the gate)" if finding.blocks_gate else ""))
    return result

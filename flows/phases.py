"""A CTC phase as a flow run for one area (``phase-step``, taking the phase from phases.yml, so a
municipality's own phases need no code): what the phase checks by itself, marks done from the
data, and tells the team. The unit of work is the phase step (``tasks.phases``), named after the
phase, the area and the day and tagged with both, so the Prefect UI shows an area moving through
CTC as its steps.

``phase-work`` (daily) checks every area in one batch and runs the step only for areas where
something happened — a phase opened, data changed, something new to tell — so a quiet day costs
one task, not one per area. The steps run side by side as task runs (Prefect's thread-pool task
runner): a busy morning's hundreds of areas cost one flow run, not hundreds. With more workers
online in the pool, phase-work hands each other worker a share as a run of the tenant's
``phase-areas`` deployment (``run_deployment``) and runs one share itself.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, tags
from prefect.futures import wait

from ctcflow.core.errors import CtcError
from flows.common import day, per_tenant
from flows.deliver_notifications import deliver_notifications
from flows.fanout import spread
from tasks.models import PhaseRun, PhaseWorkSummary
from tasks.phases import check_all_areas, phase_step
from tasks.reporting import publish_status


@flow(name="phase-step", flow_run_name="{phase_id} · {area_id} · {as_of}", log_prints=True,
      description="One area's phase checked now: what the phase's checks in phases.yml find, marked and told.")
@per_tenant
def phase_step_flow(area_id: str, phase_id: str, as_of: date, deliver: bool = True,
                    tenant: str | None = None) -> PhaseWorkSummary:
    with tags(f"area:{area_id}", f"phase:{phase_id}"):
        result = phase_step(area_id, phase_id, as_of)
    if deliver and result.new:
        deliver_notifications(as_of, briefs=False)
    return result


def run_phase_flow(area_id: str, phase_id: str, as_of: date, deliver: bool = True) -> PhaseWorkSummary:
    """The phase's flow run for one area."""
    return phase_step_flow(area_id=area_id, phase_id=phase_id, as_of=as_of, deliver=deliver)


def run_steps(runs: list[PhaseRun], as_of: date) -> None:
    """A share's steps side by side in the calling flow run, each tagged with its area and phase;
    every one waited for, and an error naming those that failed."""
    futures = []
    for run in runs:
        with tags(f"area:{run.area}", f"phase:{run.phase}"):
            futures.append(phase_step.submit(run.area, run.phase, as_of, found=run))
    wait(futures)
    failed = [f"{run.area} · {run.phase}" for run, future in zip(runs, futures, strict=True)
              if not future.state.is_completed()]
    if failed:
        raise CtcError(f"{len(failed)} of {len(runs)} phase steps failed: {', '.join(failed)}")


@flow(name="phase-areas", flow_run_name="{as_of} · {tenant} · {first}", log_prints=True,
      description="A share of the day's per-area phase steps, handed out by phase-work to another worker of the pool.")
@per_tenant
def phase_areas(runs: list[PhaseRun], as_of: date, first: str = "", tenant: str | None = None) -> int:
    run_steps(runs, as_of)
    return len(runs)


@flow(name="phase-work", log_prints=True)
@per_tenant
def phase_work(as_of: date | None = None, deliver: bool = True, tenant: str | None = None) -> PhaseWorkSummary:
    today = day(as_of)
    batch = check_all_areas(today)
    handed_out = spread("phase-areas", batch.runs, lambda chunk: {"runs": chunk, "as_of": today,
                                                                  "first": chunk[0].area},
                        here=lambda chunk: run_steps(chunk, today))
    print(f"{today}: {len(batch.findings)} findings, {len(batch.active_areas)} areas with something new, "
          f"{len(batch.runs)} phase steps" + (f", {handed_out} shares of them handed to other workers"
                                             if handed_out else ""))
    sections = {"opened_revisions": [o.line() for o in batch.opened],
                "missing": [f"{f.area} · {f.phase}: {f.text}" for f in batch.findings]}
    if deliver and batch.new:
        deliver_notifications(today, briefs=False)
    publish_status(today, "phase-work", sections)
    return batch

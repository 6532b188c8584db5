"""Each CTC phase as its own flow, run per area: what the phase checks by itself, marks done
from the data, and tells the team. A run is named after the area and the day and tagged with
both, so the Prefect UI shows an area moving through CTC as runs of its phase flows.

``phase-work`` (daily) checks every area in one batch and runs the per-area flow only for
areas where something happened — a phase opened, data changed, something new to tell — so a
quiet day costs one task, not one run per area. Run as a deployment, it hands those per-area
flows to the tenant's ``phase-areas`` deployment in a few batches (``run_deployment``), so every
worker of the pool takes a share, under that deployment's concurrency limit; run directly (a
test, ``ctc serve`` without a pool), it runs them itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from prefect import flow, tags
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from flows.common import day, per_tenant
from flows.deliver_notifications import deliver_notifications
from flows.fanout import spread
from tasks.models import PhaseRun, PhaseWorkSummary
from tasks.phases import check_all_areas, check_area
from tasks.reporting import publish_status


def _phase_flow(phase_id: str, description: str) -> Callable[..., PhaseWorkSummary]:
    @flow(name=f"phase-{phase_id}", flow_run_name=f"{phase_id} · {{area_id}} · {{as_of}}", log_prints=True,
          description=description)
    @per_tenant
    def run(area_id: str, as_of: date, found: PhaseRun | None = None, deliver: bool = True,
            tenant: str | None = None) -> PhaseWorkSummary:
        """``found``: what phase-work's batch found here today (its notices already written);
        without it — the flow run on its own — the area is checked now."""
        result = check_area(area_id, phase_id, as_of) if found is None else PhaseWorkSummary.shown(found, as_of)
        for opened in result.opened:
            print(f"{area_id} {phase_id}: {opened.line()}")
        for finding in result.findings:
            print(f"{area_id} {phase_id}: {finding.text}" + (" (holds the gate)" if finding.blocks_gate else ""))
        if deliver and result.new:
            deliver_notifications(as_of, briefs=False)
        return result

    return run


mobilisering = _phase_flow("mobilisering", "The områdesteam's sectors against those CTC asks for.")
lagesanalys = _phase_flow("lagesanalys", "A survey wave covering the area completes the analysis milestones.")
prioritering = _phase_flow("prioritering", "The suggestion to the team; the gate needs its recorded decision.")
handlingsplan = _phase_flow("handlingsplan", "A programme for every priority factor; the plan as a document.")
uppfoljning = _phase_flow("uppfoljning", "Implementation and fidelity per programme; low fidelity is flagged.")
PHASE_FLOWS = {"mobilisering": mobilisering, "lagesanalys": lagesanalys, "prioritering": prioritering,
               "handlingsplan": handlingsplan, "uppfoljning": uppfoljning}


def run_phase_flow(area_id: str, phase_id: str, as_of: date, deliver: bool = True,
                   found: PhaseRun | None = None) -> PhaseWorkSummary | None:
    phase_flow = PHASE_FLOWS.get(phase_id)
    if phase_flow is None:
        return None
    with tags(f"area:{area_id}", f"phase:{phase_id}"):
        return phase_flow(area_id=area_id, as_of=as_of, found=found, deliver=deliver)


def run_each_inside(runs: list[PhaseRun], as_of: date) -> None:
    """The per-area flows of a batch, one after another in the caller's process, sending no
    heartbeats of their own: the caller's heartbeat already tells the server that this process
    lives, and Prefect waits up to a second for a flow's heartbeat thread to stop when the flow
    ends — a second per area, most of a busy morning's time."""
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        for run in runs:
            run_phase_flow(run.area, run.phase, as_of, deliver=False, found=run)


@flow(name="phase-areas", flow_run_name="{as_of} · {tenant} · {first}", log_prints=True,
      description="A batch of per-area phase flows, handed out by phase-work to any worker of the pool.")
@per_tenant
def phase_areas(runs: list[PhaseRun], as_of: date, first: str = "", tenant: str | None = None) -> int:
    run_each_inside(runs, as_of)
    return len(runs)


@flow(name="phase-work", log_prints=True)
@per_tenant
def phase_work(as_of: date | None = None, deliver: bool = True, tenant: str | None = None) -> PhaseWorkSummary:
    today = day(as_of)
    batch = check_all_areas(today)
    handed_out = spread("phase-areas", batch.runs, lambda chunk: {"runs": chunk, "as_of": today,
                                                                  "first": chunk[0].area},
                        here=lambda chunk: run_each_inside(chunk, today))
    print(f"{today}: {len(batch.findings)} findings, {len(batch.active_areas)} areas with something new, "
          f"{len(batch.runs)} phase runs" + (f", {handed_out} shares of them handed to other workers"
                                             if handed_out else ""))
    sections = {"opened_revisions": [o.line() for o in batch.opened],
                "missing": [f"{f.area} · {f.phase}: {f.text}" for f in batch.findings]}
    if deliver and batch.new:
        deliver_notifications(today, briefs=False)
    publish_status(today, "phase-work", sections)
    return batch

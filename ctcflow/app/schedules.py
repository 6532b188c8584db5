"""What the Prefect server has scheduled: each scheduled deployment's first run, waited for.

A deployment with a schedule is only half the promise; the other half is the server's scheduler
turning it into runs. When that fails nothing runs and nothing complains (Prefect 3.8.8's
scheduler under SQLAlchemy 2.1 logged an error each cycle and made no run, anywhere), so `ctc
deploy` and `ctc serve` ask the server for the first run of each morning and say plainly when
there is none.
"""

from __future__ import annotations

import time
from datetime import datetime
from uuid import UUID

from ctcflow.core.calendar import STOCKHOLM

# How long `ctc deploy` and `ctc serve` wait for the scheduler: it makes a new deployment's runs
# within seconds (its recent-deployments loop runs every 5 s), so two minutes means it is not working.
FIRST_RUNS_WAIT_SECONDS = 120.0

def first_runs(names: list[str], wait_seconds: float) -> dict[str, datetime | None]:
    """Each named deployment's first ``Scheduled`` run (Stockholm time), as the Prefect server's
    scheduler makes it — within seconds of a deployment being registered. Asked again until every
    deployment has one or ``wait_seconds`` have passed: a deployment still without one has a server
    whose scheduler is not running (an ephemeral server, or one started without its services) or
    failing (as Prefect 3.8.8's did under SQLAlchemy 2.1), and its mornings will not happen by
    themselves — which an operator must hear at once, not weeks later. A deployment not registered
    yet (`ctc serve` registers while this waits) is looked for again."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateName,
    )
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.exceptions import ObjectNotFound

    deadline = time.monotonic() + wait_seconds
    first: dict[str, datetime | None] = dict.fromkeys(names)
    ids: dict[str, UUID] = {}
    with get_client(sync_client=True) as client:
        while True:
            for name in [name for name, when in first.items() if when is None]:
                try:
                    ids[name] = ids.get(name) or client.read_deployment_by_name(name).id
                except ObjectNotFound:
                    continue
                runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                    deployment_id=FlowRunFilterDeploymentId(any_=[ids[name]]),
                    state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Scheduled"]))),
                    sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=1)
                if runs and runs[0].expected_start_time is not None:
                    first[name] = runs[0].expected_start_time.astimezone(STOCKHOLM)
            if all(first.values()) or time.monotonic() >= deadline:
                return first
            time.sleep(1)


def schedule_report(first: dict[str, datetime | None], wait_seconds: float) -> tuple[list[str], str | None]:
    """What an operator reads after deploying or serving: each scheduled deployment's first run,
    and — when some have none — the one sentence that says the mornings will not happen."""
    width = max((len(name) for name in first), default=0)
    lines = ["first scheduled runs (Europe/Stockholm):"] + [
        f"  {name:<{width}}  {when:%a %Y-%m-%d %H:%M}" if when else f"  {name:<{width}}  NONE"
        for name, when in first.items()]
    missing = [name for name, when in first.items() if when is None]
    if not missing:
        return lines, None
    return lines, (
        f"the Prefect server made no scheduled run of {len(missing)} of {len(first)} scheduled deployments "
        f"within {wait_seconds:.0f} s, so their mornings will not happen by themselves: its scheduler is not "
        "running (a temporary server, or one started without its services) or failing — read the server's "
        "log for the scheduler's errors")

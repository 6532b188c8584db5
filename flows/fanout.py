"""Spreading a flow's work over the workers of its pool with Prefect's own means: batches handed
to a sibling deployment with ``run_deployment`` (each batch a flow run any worker may take),
waited for, and their failures raised — never a queue of our own."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ctcflow.app.deploy import deployment_name, workers_online
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError

T = TypeVar("T")
POLL_SECONDS = 2.0


def spread(flow_name: str, items: Sequence[T], parameters: Callable[[list[T]], dict[str, Any]],
           here: Callable[[list[T]], object], smallest: int | None = None, redo_late: bool = True) -> int:
    """Do ``items`` in shares, one per worker online in the pool: this run's own share here
    (``here``), while each other share is a run of the tenant's ``flow_name`` deployment that any
    worker may take; then wait for those. Returns how many shares were handed out — none when
    this run did not come from a deployment (a test, ``ctc serve`` without a pool) or the pool
    has one worker: a flow-run process costs seconds to start, a share only pays where another
    worker takes it. A share has at least ``smallest`` items (default ``fan_out_smallest``). A
    share not done within ``fan_out_deadline_seconds`` is cancelled there and, with ``redo_late``,
    done here (its steps are idempotent); without, the run fails, to be retried."""
    from prefect.runtime import deployment

    shares = _shares(len(items), deployment.id, smallest) if items and deployment.id is not None else 1
    size = max(1, math.ceil(len(items) / shares))
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)] or [[]]
    started: dict[Any, list[T]] = {}
    settings = get_settings()
    name = ""
    if len(chunks) > 1:
        from prefect.deployments import run_deployment

        name = f"{flow_name}/{deployment_name(flow_name, settings.tenant_id, settings)}"
        for chunk in chunks[1:]:
            run: Any = run_deployment(name, parameters={**parameters(chunk), "tenant": settings.tenant_id}, timeout=0,
                                 as_subflow=True)
            started[run.id] = chunk
    here(chunks[0])
    if started:
        late = wait_for_runs(list(started), name, deadline=settings.fan_out_deadline_seconds)
        if late and not redo_late:
            raise CtcError(f"{len(late)} share(s) of {name} not done within {settings.fan_out_deadline_seconds} s "
                           "(a worker died, or none took it): cancelled there; this run fails, to be retried")
        for run_id in late:  # cancelled there: its steps done here (each step is idempotent)
            print(f"{name}: share {run_id} was not done in {settings.fan_out_deadline_seconds} s; done here instead")
            here(started[run_id])
    return len(started)


def _shares(count: int, deployment_id: Any, smallest: int | None) -> int:
    """Into how many shares ``count`` items split: one per worker online in the deployment's pool,
    at most ``fan_out_batches``, each at least ``smallest`` items."""
    from prefect.client.orchestration import get_client

    settings = get_settings()
    with get_client(sync_client=True) as client:
        pool = client.read_deployment(deployment_id).work_pool_name
        online = workers_online(client, pool) if pool else 1
    least = max(1, smallest or settings.fan_out_smallest)
    return max(1, min(online, settings.fan_out_batches, math.ceil(count / least)))


def wait_for_runs(ids: list[Any], name: str, poll: float = POLL_SECONDS, deadline: float | None = None) -> list[Any]:
    """Until every run is final, or ``deadline`` seconds have passed: a run not final by then —
    never taken, or its worker died mid-run — is cancelled (so no worker starts it late) and
    returned, for the caller to do its share itself. An error names those that failed."""
    from prefect.client.orchestration import get_client
    from prefect.states import Cancelled

    pending = set(ids)
    failed: list[str] = []
    ends = time.monotonic() + deadline if deadline is not None else None
    with get_client(sync_client=True) as client:
        while pending:
            for run_id in list(pending):
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_final():
                    pending.discard(run_id)
                    if not state.is_completed():
                        failed.append(f"{run_id} ({state.name})")
            if pending and ends is not None and time.monotonic() >= ends:
                for run_id in pending:
                    client.set_flow_run_state(run_id, Cancelled(message=f"not done within {deadline:.0f} s: the "
                                                                        "run that handed it out does it"), force=True)
                break
            if pending:
                time.sleep(poll)
    if failed:
        raise CtcError(f"{len(failed)} of {len(ids)} batches of {name} did not complete: {', '.join(failed)}")
    return sorted(pending, key=str)

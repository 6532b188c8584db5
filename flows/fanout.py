"""Spreading a flow's work over the workers of its pool with Prefect's own means: batches handed
to a sibling deployment with ``run_deployment`` (each batch a flow run any worker may take),
waited for, and their failures raised — never a queue of our own."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ctcflow.app.deploy import deployment_name
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError

T = TypeVar("T")
POLL_SECONDS = 2.0


def spread(flow_name: str, items: Sequence[T], parameters: Callable[[list[T]], dict[str, Any]]) -> int | None:
    """Run ``items`` as batches of the tenant's ``flow_name`` deployment when the calling flow run
    itself came from a deployment (a worker: its siblings are deployed too); returns the number
    of batches, or None when the caller should do the work itself (no deployment, nothing to do)."""
    from prefect.runtime import deployment

    if not items or deployment.id is None:
        return None
    from prefect.deployments import run_deployment

    settings = get_settings()
    name = f"{flow_name}/{deployment_name(flow_name, settings.tenant_id, settings)}"
    count = max(1, min(settings.fan_out_batches, math.ceil(len(items) / max(1, settings.fan_out_smallest))))
    size = math.ceil(len(items) / count)
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    started: list[Any] = [run_deployment(name, parameters={**parameters(chunk), "tenant": settings.tenant_id},
                                         timeout=0, as_subflow=True) for chunk in chunks]
    wait_for_runs([run.id for run in started], name)
    return len(chunks)


def wait_for_runs(ids: list[Any], name: str, poll: float = POLL_SECONDS) -> None:
    """Until every run is final; an error naming those that did not complete."""
    from prefect.client.orchestration import get_client

    pending = set(ids)
    failed: list[str] = []
    with get_client(sync_client=True) as client:
        while pending:
            for run_id in list(pending):
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_final():
                    pending.discard(run_id)
                    if not state.is_completed():
                        failed.append(f"{run_id} ({state.name})")
            if pending:
                time.sleep(poll)
    if failed:
        raise CtcError(f"{len(failed)} of {len(ids)} batches of {name} did not complete: {', '.join(failed)}")

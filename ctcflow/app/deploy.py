"""`ctc deploy`: every tenant's deployments of prefect.yaml, registered with a work pool.

prefect.yaml is the one description of the flows (names, entrypoints, schedules, limits);
`prefect deploy --all` registers it as written, for the default tenant. `ctc deploy` registers
the same for every tenant: the default tenant's deployments keep prefect.yaml's names, another
tenant's are named ``<name>-<tenant>``; each is tagged ``tenant:<id>`` and passes its tenant
as the flows' ``tenant`` parameter, so one pool of workers serves every municipality while each
tenant's limits (``concurrency_limit``) are its own. The deployments carry prefect.yaml's pull
step, not this machine's path: each worker runs the code of its own checkout (its ``CTC_HOME``,
ctcflow.app.checkout).

`prefect deploy` would register the default tenant's deployments only, untagged and without their
tenant, over those `ctc deploy` made: prefect.yaml's build step refuses it and names `ctc deploy`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctcflow.app.serve import concurrency, deployment_specs, prefect_yaml, schedules_of
from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import CtcError
from ctcflow.core.tenants import tenant_ids

# Each run tells the server every so often that it is alive; the watchdog marks a run crashed that
# stopped telling it without ending (ctcflow.app.watchdog). Prefect's smallest interval.
HEARTBEAT_SECONDS = 30


def deployment_name(name: str, tenant: str, settings: Settings) -> str:
    """The deployment of prefect.yaml's ``name`` for ``tenant``."""
    return name if tenant == settings.default_tenant else f"{name}-{tenant}"


def default_pool() -> str:
    """The work pool prefect.yaml names (under ``definitions: work_pool``)."""
    pool = ((prefect_yaml().get("definitions") or {}).get("work_pool") or {}).get("name")
    if not pool:
        raise CtcError("prefect.yaml names no work pool (definitions: work_pool: name:); pass --pool")
    return str(pool)


@dataclass
class Registered:
    pool: str
    created_pool: bool
    names: list[str]
    scheduled: list[str]  # those of ``names`` with a schedule of prefect.yaml: the mornings


def deploy(pool: str | None = None, tenants: list[str] | None = None) -> Registered:
    """Register the deployments of ``tenants`` (default: every tenant) with ``pool`` (made, as a
    process pool, when the Prefect server has none of that name)."""
    from prefect import Flow
    from prefect.deployments.runner import deploy as register

    settings = get_settings()
    known = tenant_ids(settings.tenants_folder, settings.default_tenant)
    chosen = tenants or known
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise CtcError(f"no tenant {', '.join(unknown)}: the tenants are {', '.join(known)}")
    pool = pool or default_pool()
    created = _ensure_pool(pool)
    flows: list[tuple[dict[str, Any], Any]] = [
        (spec, Flow.from_source(source=str(settings.home), entrypoint=spec["entrypoint"]))
        for spec in deployment_specs()]
    pull = WorkerCheckout(pull_steps())
    deployments: list[Any] = []
    for tenant in chosen:
        for spec, flow in flows:
            deployments.append(flow.to_deployment(
                name=deployment_name(spec["name"], tenant, settings), schedules=schedules_of(spec),
                description=spec.get("description"), tags=[*(spec.get("tags") or []), f"tenant:{tenant}"],
                parameters={**(spec.get("parameters") or {}), "tenant": tenant},
                concurrency_limit=concurrency(spec.get("concurrency_limit")), work_pool_name=pool,
                job_variables={"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}}))
            deployments[-1].storage = pull
    register(*deployments, work_pool_name=pool, build=False, push=False, print_next_steps_message=False,
             ignore_warnings=True)
    return Registered(pool, created, [f"{d.flow_name}/{d.name}" for d in deployments],
                      [f"{d.flow_name}/{d.name}" for d in deployments if d.schedules])


def pull_steps() -> list[dict[str, Any]]:
    """prefect.yaml's pull steps: what a worker does before each run to find the code."""
    steps = prefect_yaml().get("pull")
    if not isinstance(steps, list) or not steps:
        raise CtcError("prefect.yaml has no pull steps (pull: - ctcflow.app.checkout.worker_checkout: {})")
    return steps


class WorkerCheckout:
    """The deployments' storage: nothing to upload, and prefect.yaml's pull steps as the way a
    worker finds the code (Prefect's runner asks a storage for these)."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        self.steps = steps
        self._base = Path.cwd()

    def set_base_path(self, path: Path) -> None:
        self._base = path

    @property
    def destination(self) -> Path:
        return self._base

    @property
    def pull_interval(self) -> int | None:
        return None

    async def pull_code(self) -> None:
        return None

    def to_pull_step(self) -> list[dict[str, Any]]:
        return self.steps


def use_ctc_deploy() -> dict[str, str]:
    """prefect.yaml's build step: run by `prefect deploy` only (`ctc deploy` and `ctc serve` read the
    deployments themselves), it refuses — what `prefect deploy` registers lacks every tenant but the
    default, and the default's tag and parameter."""
    print("error: register ctcflow's deployments with `ctc deploy [--pool NAME]`, not `prefect deploy`: it "
          "registers every tenant's deployments, each with its tenant as tag and parameter (`prefect deploy` "
          "would replace the default tenant's with ones that have neither). Nothing was registered.",
          file=sys.stderr)
    raise SystemExit(2)  # not an exception: Prefect's CLI would print its traceback


def workers_online(client: Any, pool: str) -> int:
    """How many workers of ``pool`` the Prefect server counts as online (``client``: a sync client)."""
    from prefect.client.schemas.filters import WorkerFilter, WorkerFilterStatus

    return len(client.read_workers_for_work_pool(pool, worker_filter=WorkerFilter(
        status=WorkerFilterStatus(any_=["ONLINE"]))))


def _ensure_pool(name: str) -> bool:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
            return True

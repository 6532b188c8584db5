"""`ctc deploy`: every tenant's deployments of prefect.yaml, registered with a work pool.

prefect.yaml is the one description of the flows (names, entrypoints, schedules, limits);
`prefect deploy --all` registers it as written, for the default tenant. `ctc deploy` registers
the same for every tenant: the default tenant's deployments keep prefect.yaml's names, another
tenant's are named ``<name>-<tenant>``; each is tagged ``tenant:<id>`` and passes its tenant
as the flows' ``tenant`` parameter, so one pool of workers serves every municipality while each
tenant's limits (``concurrency_limit``) are its own. The code is pulled from the checkout at
``CTC_HOME`` on the worker (prefect.yaml's pull step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ctcflow.app.serve import concurrency, deployment_specs, prefect_yaml, schedules_of
from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import CtcError
from ctcflow.core.tenants import tenant_ids


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
    deployments: list[Any] = []
    for tenant in chosen:
        for spec, flow in flows:
            deployments.append(flow.to_deployment(
                name=deployment_name(spec["name"], tenant, settings), schedules=schedules_of(spec),
                description=spec.get("description"), tags=[*(spec.get("tags") or []), f"tenant:{tenant}"],
                parameters={**(spec.get("parameters") or {}), "tenant": tenant},
                concurrency_limit=concurrency(spec.get("concurrency_limit")), work_pool_name=pool))
    register(*deployments, work_pool_name=pool, build=False, push=False, print_next_steps_message=False,
             ignore_warnings=True)
    return Registered(pool, created, [f"{d.flow_name}/{d.name}" for d in deployments],
                      [f"{d.flow_name}/{d.name}" for d in deployments if d.schedules])


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

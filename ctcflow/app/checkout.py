"""Where a worker finds the flows' code and the tenants: prefect.yaml's pull step.

A deployment is registered on one machine and run on others, each with its checkout wherever that
host keeps it. So the deployment carries no path: before every flow run, on the worker, this step
goes to the worker's own checkout (its ``CTC_HOME``; unset: the checkout the worker's ctcflow is
installed from) and checks that the run's tenant is in the tenants folder that worker reads
(``CTC_TENANTS_DIR``, the one place every host mounts). What is missing is said in one line, in
the run's log, before any of the flow's work starts.
"""

from __future__ import annotations

import os
from pathlib import Path

from ctcflow.core.config import get_settings, reset_settings
from ctcflow.core.errors import CtcError
from ctcflow.core.tenants import tenant_overrides

# What a checkout has that the flows read (the entrypoints, the process, the templates).
CHECKOUT_PARTS = ("prefect.yaml", "flows", "phases.yml", "templates")


def worker_checkout() -> dict[str, str]:
    """prefect.yaml's pull step (``ctcflow.app.checkout.worker_checkout``): this worker's checkout,
    checked, becomes the run's working directory; a run for a tenant this worker cannot read fails
    here with where it looked."""
    reset_settings()  # the worker's own environment, not one cached before
    settings = get_settings()
    home = settings.home.resolve()
    check_checkout(home)
    tenant = _run_tenant()
    if tenant is not None and tenant != settings.default_tenant:
        try:
            tenant_overrides(tenant, settings.tenants_folder, settings.default_tenant)
        except CtcError as exc:
            raise CtcError(f"this worker cannot read tenant '{tenant}': {exc}. Every worker reads the tenants "
                           f"from CTC_TENANTS_DIR (here {settings.tenants_folder}); point it at the shared "
                           "folder the other hosts read") from None
    os.chdir(home)
    return {"directory": str(home)}


def check_checkout(home: Path) -> None:
    """A folder the flows can run from, or an error that says which parts it lacks."""
    missing = [part for part in CHECKOUT_PARTS if not (home / part).exists()]
    if missing:
        raise CtcError(f"CTC_HOME={home} on this worker is not a ctcflow checkout (it has no "
                       f"{', '.join(missing)}): set CTC_HOME to the folder of this host's checkout")


def _run_tenant() -> str | None:
    """The tenant the flow run is for (its ``tenant`` parameter), when this is a flow run."""
    if not os.environ.get("PREFECT__FLOW_RUN_ID"):
        return None
    from prefect.runtime import flow_run

    tenant = (flow_run.parameters or {}).get("tenant")
    return tenant if isinstance(tenant, str) else None

"""Acting for one tenant for a while: a command's ``--tenant``, a flow run's ``tenant``
parameter. The choice is a context variable, not the process's environment: two flow runs (or
task runs on Prefect's threads) acting for two tenants at once each see their own, and what
reads the settings (``ctcflow.core.config.get_settings``) follows the one it runs under."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

_TENANT: ContextVar[str | None] = ContextVar("ctc_tenant", default=None)
P = ParamSpec("P")
R = TypeVar("R")


def chosen_tenant() -> str | None:
    """The tenant acted for here (None: the one the process was started for — CTC_TENANT, or the default)."""
    return _TENANT.get()


@contextmanager
def tenant_scope(tenant: str | None) -> Iterator[None]:
    """Act for ``tenant`` inside the block (None: leave the choice as it is); what was chosen
    before is back afterwards."""
    if tenant is None:
        yield
        return
    token = _TENANT.set(tenant)
    try:
        yield
    finally:
        _TENANT.reset(token)


def carried(work: Callable[P, R]) -> Callable[P, R]:
    """``work`` to be run on a thread of our own (a sender's connection, a lease's heartbeat),
    acting for the tenant acted for where it was handed over — a new thread starts with none."""
    tenant = _TENANT.get()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with tenant_scope(tenant):
            return work(*args, **kwargs)

    return run

"""What the flows share: the day to act as of, and the tenant to act for."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar

from ctcflow.core import calendar
from ctcflow.core.config import get_settings
from ctcflow.core.scope import tenant_scope

P = ParamSpec("P")
R = TypeVar("R")


def day(as_of: date | None) -> date:
    return as_of or calendar.today()


def per_tenant(fn: Callable[P, R]) -> Callable[P, R]:
    """A flow's body run for the tenant named by its ``tenant`` parameter (every ctcflow flow has
    one: a deployment per tenant passes it, so one worker pool serves every municipality). Every
    task and subflow run it starts is tagged ``tenant:<id>`` as the deployment's own run is, so a
    tenant's runs are found by one filter."""
    signature = inspect.signature(fn, eval_str=True)

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from prefect import tags

        tenant = signature.bind(*args, **kwargs).arguments.get("tenant")
        with tenant_scope(tenant if isinstance(tenant, str) else None), tags(f"tenant:{get_settings().tenant_id}"):
            return fn(*args, **kwargs)

    # The parameters' types as the flow's own module resolves them (this module knows none of
    # them): Prefect validates a deployment's parameters against them.
    run.__signature__ = signature  # type: ignore[attr-defined]
    return run

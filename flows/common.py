"""What the flows share: the day to act as of, and the tenant to act for."""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import ParamSpec, TypeVar

from ctcflow.core import calendar
from ctcflow.core.config import reset_settings

P = ParamSpec("P")
R = TypeVar("R")


def day(as_of: date | None) -> date:
    return as_of or calendar.today()


@contextmanager
def tenant_scope(tenant: str | None) -> Iterator[None]:
    """Act for ``tenant`` inside the block (None: the one the process was started for — a
    deployment's CTC_TENANT, or the default); what was chosen before is back afterwards."""
    before = os.environ.get("CTC_TENANT")
    if tenant is None or tenant == before:
        yield
        return
    os.environ["CTC_TENANT"] = tenant
    reset_settings()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("CTC_TENANT", None)
        else:
            os.environ["CTC_TENANT"] = before
        reset_settings()


def per_tenant(fn: Callable[P, R]) -> Callable[P, R]:
    """A flow's body run for the tenant named by its ``tenant`` parameter (every ctcflow flow has
    one: a deployment per tenant passes it, so one worker pool serves every municipality)."""
    signature = inspect.signature(fn, eval_str=True)

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        tenant = signature.bind(*args, **kwargs).arguments.get("tenant")
        with tenant_scope(tenant if isinstance(tenant, str) else None):
            return fn(*args, **kwargs)

    # The parameters' types as the flow's own module resolves them (this module knows none of
    # them): Prefect validates a deployment's parameters against them.
    run.__signature__ = signature  # type: ignore[attr-defined]
    return run

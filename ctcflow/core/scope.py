"""Acting for one tenant for a while: a command's ``--tenant``, a flow run's ``tenant``
parameter. The choice is the process's CTC_TENANT, so everything that reads the settings follows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from ctcflow.core.config import reset_settings


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

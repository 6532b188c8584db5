"""Prefect Secret blocks, read and written the one way ctcflow does it: synchronously (the web's
handlers run inside an event loop, where Prefect's methods would otherwise hand back a coroutine)
and with prefect imported only when a block is actually needed."""

from __future__ import annotations

from typing import Any


class MissingSecret(LookupError):
    """No Secret block of that name on the Prefect server."""


def load_secret(name: str) -> Any:
    """The block's value (text or a JSON object)."""
    from prefect.blocks.system import Secret

    try:
        block: Any = Secret.load(name, _sync=True)  # type: ignore[call-arg]
    except ValueError as exc:
        raise MissingSecret(str(exc)) from None
    return block.get()


def save_secret_once(name: str, value: Any) -> bool:
    """Make the block unless it exists; False when another process made it first."""
    from prefect.blocks.system import Secret

    secret: Any = Secret(value=value)
    try:
        secret.save(name, overwrite=False, _sync=True)
    except ValueError:
        return False
    return True


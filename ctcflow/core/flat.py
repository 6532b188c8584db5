"""A dataclass as a flat dictionary of its fields."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(kind: type) -> tuple[str, ...]:
    """The names of a dataclass's fields, looked up once per class."""
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def flat(record: Any, kind: type | None = None) -> dict[str, Any]:
    """The fields of a dataclass instance (those of ``kind``, one of its bases, if given) as they
    are — not ``dataclasses.asdict``, which deep-copies every value and costs a big city's
    status or outbox whole seconds for rows of plain values."""
    return {name: getattr(record, name) for name in field_names(kind or type(record))}

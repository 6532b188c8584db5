"""Pydantic models that remember the YAML node they came from, for errors with line numbers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from ctcflow.core.errors import Problem
from ctcflow.definition.yamlload import LineDict, LineList, line_of


class Located(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    _src: LineDict | None = PrivateAttr(default=None)

    def line(self, key: str | None = None) -> int | None:
        if self._src is None:
            return None
        if key is not None and key in self._src.key_lines:
            return self._src.key_lines[key]
        return self._src.line

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled (the definitions cache) with the lines of its node, not the node's content:
        the content is the model itself, so a cached city is half the size and loads twice as fast."""
        state = super().__getstate__()
        src = self._src
        if src is not None:
            slim = LineDict()
            slim.line, slim.key_lines = src.line, src.key_lines
            state["__pydantic_private__"] = {**(state.get("__pydantic_private__") or {}), "_src": slim}
        return state


def attach_sources(model: Any, raw: Any) -> None:
    """Walk ``model`` alongside the raw YAML it was validated from and remember each node."""
    if isinstance(model, Located) and isinstance(raw, LineDict):
        model._src = raw
        for name, field in type(model).model_fields.items():
            key = field.alias or name
            if key in raw:
                attach_sources(getattr(model, name), raw[key])
    elif isinstance(model, list) and isinstance(raw, LineList):
        for item, raw_item in zip(model, raw, strict=False):
            attach_sources(item, raw_item)


def _ident_on_path(raw: Any, loc: tuple[str | int, ...]) -> str | None:
    node, ident = raw, None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            ident = node["id"]
    return ident


def problems_from_validation(path: Any, raw: Any, error: ValidationError) -> list[Problem]:
    """Turn pydantic's findings into Problems naming file, line, id and a fix."""
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        field = ".".join(str(part) for part in loc)
        kind = item["type"]
        if kind == "missing":
            hint = f"add '{loc[-1]}'"
        elif kind == "extra_forbidden":
            hint = "remove it or correct its spelling"
        else:
            hint = f"check the value of '{loc[-1]}'" if loc else ""
        message = f"{field}: {item['msg']}" if field else item["msg"]
        if kind.startswith(("date_", "datetime_")):
            message, hint = f"{field}: '{item.get('input')}' is not a date", "write the date as YYYY-MM-DD"
        problems.append(Problem(path, line_of(raw, loc), _ident_on_path(raw, loc), message, hint))
    return problems

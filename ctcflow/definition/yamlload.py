"""YAML loading that remembers where things are, so every error can name its line.

Mappings load as ``LineDict`` (a dict that knows its own line and each key's line); a key
given twice in one mapping is an error, not a silent overwrite as in plain PyYAML.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ctcflow.core.errors import DefinitionError, Problem


class LineDict(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int, first_line: int):
        self.key, self.line, self.first_line = key, line, first_line


class _BadDate(Exception):
    def __init__(self, text: str, line: int, reason: str):
        self.text, self.line, self.reason = text, line, reason


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date that looks like one but is not (2018-02-30) is named with its line."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _BadDate(str(node.value), node.start_mark.line + 1, str(exc)) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if key in result.key_lines:
                raise _DuplicateKey(str(key), key_line, result.key_lines[key])
            result.key_lines[key] = key_line
            result[key] = self.construct_object(value_node, deep=True)
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence
)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def load_yaml(path: Path) -> Any:
    """Parse ``path``; unreadable files, syntax errors and duplicate keys become DefinitionError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(
            [Problem(path, None, None, "file not found", "create it or set the CTC_ path setting")]
        ) from None
    except UnicodeDecodeError as exc:
        raise DefinitionError(
            [Problem(path, None, None, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")]
        ) from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except _DuplicateKey as dup:
        raise DefinitionError([Problem(
            path, dup.line, dup.key, f"key '{dup.key}' given twice (first on line {dup.first_line})",
            "remove or rename one of them",
        )]) from None
    except _BadDate as bad:
        raise DefinitionError([Problem(path, bad.line, None, f"'{bad.text}' is not a date ({bad.reason})",
                                       "write a date that exists, as YYYY-MM-DD")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(
            [Problem(path, line, None, f"YAML syntax error: {reason}", "fix the indentation or quoting")]
        ) from None


def line_of(data: Any, loc: Sequence[str | int]) -> int | None:
    """The line of the deepest node on ``loc`` (a pydantic error location) that we can find."""
    line: int | None = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
        line = getattr(node, "line", line) if isinstance(node, LineDict | LineList) else line
    return line

"""Where validation collects what it finds: every problem with its file and line, so one run of
``ctc check`` lists them all."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ctcflow.core.errors import Problem
from ctcflow.definition.located import Located


class Findings:
    def __init__(self, phases_path: Path, areas_path: Path):
        self.phases_path, self.areas_path = phases_path, areas_path
        self.problems: list[Problem] = []

    def phases(self, node: Located, ident: str | None, message: str, hint: str, key: str | None = None) -> None:
        self.problems.append(Problem(self.phases_path, node.line(key), ident, message, hint))

    def areas(self, node: Located, ident: str | None, message: str, hint: str, key: str | None = None) -> None:
        self.problems.append(Problem(self.areas_path, node.line(key), ident, message, hint))


def duplicates(items: Iterable[tuple[str, Located]]) -> list[tuple[str, Located, Located]]:
    seen: dict[str, Located] = {}
    found = []
    for ident, node in items:
        if ident in seen:
            found.append((ident, node, seen[ident]))
        else:
            seen[ident] = node
    return found


def shared_codes(groups: Iterable[tuple[str, Located, list[str]]]) -> list[tuple[Located, str, str, str]]:
    """(group, its id, the code, the other group's id) for every code — case and spaces aside —
    that two groups share: a gender's codes, a grade group's grades."""
    owner: dict[str, str] = {}
    found = []
    for ident, node, codes in groups:
        for code in codes:
            key = code.strip().lower()
            if owner.get(key, ident) != ident:
                found.append((node, ident, code, owner[key]))
            owner.setdefault(key, ident)
    return found

"""Errors a user can act on. The CLI prints them without a traceback and exits non-zero."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class CtcError(Exception):
    """An error caused by input or state the user can fix; the message says how."""


@dataclass(frozen=True)
class Problem:
    """One finding of validation: where it is, what is wrong, how to fix it."""

    file: Path | str
    line: int | None
    ident: str | None
    message: str
    hint: str = ""
    key: str = ""  # the kind of problem, for the pages' words in Swedish or English (web.yml 'problems')
    values: dict[str, str] = field(default_factory=dict, compare=False)  # what those words are filled with

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        ident = f" [{self.ident}]" if self.ident else ""
        hint = f"\n    → {self.hint}" if self.hint else ""
        return f"{where}:{ident} {self.message}{hint}"


class DefinitionError(CtcError):
    """phases.yml or areas.yml is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{count} problem(s) in the definitions:\n{lines}")


class InputFileError(CtcError):
    """A data file (survey export, cost sheet) cannot be imported; every problem found, each
    with its row and column. Nothing of the file was imported."""

    MAX_SHOWN = 200

    def __init__(self, path: Path, problems: list[Problem]):
        self.path, self.problems = path, problems
        shown = "\n".join(f"  {p}" for p in problems[:self.MAX_SHOWN])
        more = f"\n  … and {len(problems) - self.MAX_SHOWN} more" if len(problems) > self.MAX_SHOWN else ""
        super().__init__(f"{len(problems)} problem(s) in {path}; nothing was imported:\n{shown}{more}")


class Invalid(CtcError):
    """One field of a form or an option is wrong: ``field`` names it, ``reason`` says what is
    wrong in a word the pages translate; the message is the command line's sentence."""

    def __init__(self, field: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.field, self.reason = field, reason

"""A refusal on a page: what is wrong, in the reader's words, and the field it belongs next to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str  # the form field it belongs next to ("evidence"), or "form"
    text: str

"""An error the pages show as a page of their own: what happened and what to do."""

from __future__ import annotations


class PageError(Exception):
    """Shown as a page of its own: what happened and what to do, never a stack trace."""

    def __init__(self, status: int, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.detail = status, key, detail

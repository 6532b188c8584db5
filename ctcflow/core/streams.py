"""Walking a big city's worth of items without holding them all: in chunks, and counted."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size``, consumed as they are produced."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Counted(Iterator[T]):
    """An iterator that counts what passed through it (the morning's notices, decided as they
    are written)."""

    def __init__(self, items: Iterable[T]) -> None:
        self.items, self.count = iter(items), 0

    def __next__(self) -> T:
        item = next(self.items)
        self.count += 1
        return item

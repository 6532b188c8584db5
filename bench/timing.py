"""One way to time a benchmark step and print it, so every figure lines up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def clock(label: str, func: Callable[[], T]) -> tuple[T, float]:
    """Run ``func``, print its wall time beside ``label``; returns its result and the seconds."""
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    print(f"  {label:<52} {seconds:7.2f} s")
    return result, seconds

"""One way to time a benchmark step and print it, so every figure lines up."""

from __future__ import annotations

import os
import subprocess
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


def peak_mib(process: subprocess.Popen[bytes]) -> float:
    """Wait for one child and return its own peak memory (not the largest of all children)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024

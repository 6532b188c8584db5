"""One way to time a benchmark step and print it, so every figure lines up."""

from __future__ import annotations

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


def high_water_mib(pid: int) -> float:
    """The process's own peak resident memory since it started its program (VmHWM): unlike
    ru_maxrss it does not count what a big parent had when it forked the child."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_mib(process: subprocess.Popen[bytes]) -> float:
    """Wait for one child, watching its own high-water mark; returns it in MiB."""
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, high_water_mib(process.pid))
        time.sleep(0.05)
    return peak

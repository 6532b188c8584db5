"""`prefect worker` processes on this host for the tests and the benchmark: started in a process
group of their own (each logging to a file), and stopped with everything they started — asked
first, killed if they take longer than half a minute. Never part of the runtime."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def prefect_workers(pool: str, logs: list[Path], env: dict[str, str],
                    limit: int | None = None) -> Iterator[list[subprocess.Popen[bytes]]]:
    """One worker of ``pool`` per log file, named after it, for as long as the block runs."""
    command = [sys.executable, "-m", "prefect", "worker", "start", "--pool", pool]
    procs = [subprocess.Popen([*command, "--name", log.stem, *(["--limit", str(limit)] if limit else [])],
                              env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
             for log in logs]
    try:
        yield procs
    finally:  # a worker may take its time to shut down gracefully: then it (and its runs) are killed
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            stop_group(proc, asked_with=None)  # asked above: all of them stop side by side


def stop_group(proc: subprocess.Popen[bytes], asked_with: signal.Signals | None, patience: float = 30) -> None:
    """A process started in a session of its own, and everything it started: asked to stop with
    ``asked_with`` (None: it was asked already), killed if it takes longer than ``patience`` seconds."""
    if asked_with is not None and proc.poll() is None:
        os.killpg(proc.pid, asked_with)
    try:
        proc.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

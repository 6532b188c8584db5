"""A real `prefect server start` on loopback for the tests and the benchmarks — its services
running, the scheduler among them (the test harness's ephemeral server runs none) — with its own
PREFECT_HOME (its log in ``server.log`` there), any further server settings given, its URL until
the block ends, and the server stopped with everything it started. Never part of the runtime
(``ctc serve`` has its own, with the words an operator reads)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect.client.schemas.objects import Artifact as ArtifactResponse
from prefect.client.schemas.objects import FlowRun

from demo.mailserver import free_port
from demo.workers import stop_group


@contextmanager
def prefect_server(home: Path, settings: dict[str, str] | None = None) -> Iterator[str]:
    """The server's API URL while the block runs; an error with the end of its log if it does not
    answer within three minutes."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **(settings or {})}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port",
                               str(port)], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{api}/health", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    said = log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"the Prefect server did not start: {said}") from None
                time.sleep(0.5)
        yield api
    finally:
        stop_group(server, signal.SIGTERM)


def flow_run_of(result: FlowRun | Coroutine[Any, Any, FlowRun]) -> FlowRun:
    """What ``run_deployment`` returned, called synchronously (Prefect types it as either)."""
    assert isinstance(result, FlowRun), "run_deployment was called from async code"
    return result


def artifact_of(key: str) -> ArtifactResponse | None:
    """The latest artifact under ``key``, read synchronously (Prefect types the call as either)."""
    from prefect.artifacts import Artifact

    found = Artifact.get(key)
    assert not isinstance(found, Coroutine), "Artifact.get was called from async code"
    return found

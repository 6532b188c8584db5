"""`ctc serve`: the deployments of prefect.yaml, served from one process.

Prefect's ephemeral mode runs no scheduler, so without ``PREFECT_API_URL`` this starts a
local Prefect server (SQLite under ``.ctc/prefect``, no telemetry) as a child process, waits
until it answers, and serves the deployments against it. prefect.yaml is the single source of
the names, entrypoints, schedules and parameters. Ctrl-C stops serving, then the server.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from ctcflow.core.config import PROJECT_ROOT, get_settings
from ctcflow.core.errors import CtcError

STARTUP_TIMEOUT = 90.0


def prefect_yaml(path: Path | None = None) -> dict[str, Any]:
    path = path or PROJECT_ROOT / "prefect.yaml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CtcError(f"cannot read {path}: {exc}") from None
    return config if isinstance(config, dict) else {}


def deployment_specs(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or PROJECT_ROOT / "prefect.yaml"
    specs = prefect_yaml(path).get("deployments") or []
    if not specs:
        raise CtcError(f"{path} declares no deployments")
    return list(specs)


def load_flow(entrypoint: str) -> Any:
    """``flows/deadline_sweep.py:deadline_sweep`` → the flow object, imported as a module of
    the installed package (so the flows share one import of ctcflow)."""
    file_part, _, name = entrypoint.partition(":")
    module = importlib.import_module(file_part.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def runner_deployments(path: Path | None = None) -> list[Any]:
    deployments = []
    for spec in deployment_specs(path):
        flow = load_flow(spec["entrypoint"])
        deployments.append(flow.to_deployment(
            name=spec["name"], schedules=schedules_of(spec), description=spec.get("description"),
            tags=spec.get("tags") or [], parameters=spec.get("parameters") or {},
            concurrency_limit=concurrency(spec.get("concurrency_limit"))))
    return deployments


def schedules_of(spec: dict[str, Any]) -> list[Any]:
    from prefect.schedules import Cron

    return [Cron(s["cron"], timezone=s.get("timezone"), active=bool(s.get("active", True)),
                 slug=s.get("slug"), parameters=s.get("parameters") or {})
            for s in spec.get("schedules") or []]


def concurrency(spec: int | dict[str, Any] | None) -> Any:
    """prefect.yaml's ``concurrency_limit`` (a number, or limit + collision strategy) as the runner takes it."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

    if spec is None or isinstance(spec, int):
        return spec
    return ConcurrencyLimitConfig(**spec)


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def start_local_server(port: int) -> tuple[subprocess.Popen[bytes], str]:
    home = get_settings().data_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    api_url = f"http://127.0.0.1:{port}/api"
    if _healthy(api_url):
        raise CtcError(f"something already answers on port {port}; stop it, pass --port, "
                       f"or set PREFECT_API_URL={api_url} to use it")
    log = (home / "server.log").open("ab")
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not _healthy(api_url):
        if server.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            raise CtcError(f"the local Prefect server did not start; see {home / 'server.log'}")
        time.sleep(0.5)
    os.environ["PREFECT_HOME"] = str(home)
    return server, api_url


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _stop_on_signals() -> None:
    """Ctrl-C and a service manager's SIGTERM both stop serving cleanly — also when the process
    was started in the background by a shell that set SIGINT to be ignored (Python then keeps
    ignoring it)."""
    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)


def _say_first_runs(names: list[str]) -> None:
    """Once serving has registered the deployments: when each morning first runs, or that the
    server schedules nothing (serving goes on, but nothing will run by itself)."""
    import httpx

    from ctcflow.app.schedules import FIRST_RUNS_WAIT_SECONDS, first_runs, schedule_report

    try:
        lines, failure = schedule_report(first_runs(names, FIRST_RUNS_WAIT_SECONDS), FIRST_RUNS_WAIT_SECONDS)
    except (httpx.HTTPError, OSError) as exc:  # the server went away: serving is stopping
        print(f"ctc: could not ask the Prefect server for the first runs: {exc}", file=sys.stderr, flush=True)
        return
    print("\n".join(lines), flush=True)
    if failure:
        print(f"ctc: {failure}", file=sys.stderr, flush=True)


def serve(port: int = 4200) -> int:
    deployment_specs()  # a broken prefect.yaml is reported before anything starts
    _stop_on_signals()
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server, api_url = start_local_server(port)
        os.environ["PREFECT_API_URL"] = api_url
        os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
        print(f"local Prefect server on {api_url.removesuffix('/api')} (UI), data in {os.environ['PREFECT_HOME']}")
    try:
        from prefect import serve as prefect_serve

        deployments = runner_deployments()
        print(f"serving {', '.join(d.name for d in deployments)} — Ctrl-C stops")
        sys.stdout.flush()
        scheduled = [f"{d.flow_name}/{d.name}" for d in deployments if d.schedules]
        threading.Thread(target=_say_first_runs, args=(scheduled,), name="ctc-first-runs", daemon=True).start()
        # Schedules stay active when serving stops: a restart picks up what was missed, and
        # the flows are idempotent, so nothing is sent twice.
        prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            stop_server(server)
    print("stopped")
    return 0

"""The mornings happen by themselves. On a real Prefect server with its scheduler running — the
local one `ctc serve` starts (SQLite), and `prefect server start` on PostgreSQL with the
deployments `ctc deploy` registers for two tenants — every scheduled deployment of prefect.yaml
gets `Scheduled` runs from its own schedule, on the weekdays and at the Stockholm times the README
promises, and a run the scheduler made (not one started by hand) is picked up and completed: by
`ctc serve` itself (which stops cleanly on Ctrl-C), and by a `prefect worker` of the pool.

A dependency that breaks Prefect's scheduler fails here: under SQLAlchemy 2.1, Prefect 3.8.8's
scheduler logged an error every cycle and created no run at all, on either database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from ctcflow.app.deploy import deployment_name as deployment_name_for
from ctcflow.app.serve import deployment_specs
from ctcflow.core.calendar import STOCKHOLM
from ctcflow.core.config import PROJECT_ROOT, get_settings
from demo.mailserver import free_port
from demo.prefect_server import prefect_server
from demo.workers import prefect_workers, stop_group
from tests.conftest import Project, add_tenant, wait_for

# The scheduler's main loop every 5 s instead of 60: a schedule a test adds to a running deployment
# is then scheduled within seconds (new deployments are, either way, by the recent-deployments loop).
SERVER = {"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5", "PREFECT_UI_ENABLED": "false"}
WEEKDAYS = range(0, 5)
# What the README's table of flows promises, in Stockholm's local time: (hour, minute) on weekdays.
PROMISED = {
    "advance-phases": {(6, 0)},
    "phase-work": {(6, 15)},
    "deadline-sweep": {(6, 30)},
    "ks-report": {(6, 45)},
    "deliver-notifications": {(hour, minute) for hour in range(7, 17) for minute in (0, 30)},
}


def test_the_scheduled_deployments_are_the_ones_the_readme_promises() -> None:
    scheduled = {spec["name"] for spec in deployment_specs() if spec.get("schedules")}
    assert scheduled == set(PROMISED)


@pytest.mark.usefixtures("mail")
def test_ctc_serve_schedules_every_morning_on_its_local_server_runs_one_by_itself_and_stops_on_ctrl_c(
        project: Project) -> None:
    """A single host as the README starts it: `ctc serve` (its local Prefect server on SQLite)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from ctcflow.cli.main import main

    assert main(["init"]) == 0
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    with ctc_serve(project, port) as (serving, log), temporary_settings({PREFECT_API_URL: api}):
        assert_every_morning_scheduled(["malmo"])
        expected = sorted(spec["name"] for spec in deployment_specs())

        def registered() -> dict[str, Any] | None:  # `ctc serve` registers them one by one, while it serves
            with get_client(sync_client=True) as client:  # every deployment of prefect.yaml, as written there
                found = {d.name: d for d in client.read_deployments()}
            return found if len(found) >= len(expected) else None

        deployments = wait_for(registered, 60, "every deployment of prefect.yaml registered")
        assert sorted(deployments) == expected
        deliver = deployments["deliver-notifications"]  # one delivery run at a time
        assert deliver.global_concurrency_limit is not None and deliver.global_concurrency_limit.limit == 1
        assert deliver.concurrency_options is not None
        assert deliver.concurrency_options.collision_strategy == "CANCEL_NEW"
        # it tells the operator when each morning first runs
        said: str = wait_for(lambda: log.read_text() if "first scheduled runs" in log.read_text() else None, 120,
                        "ctc serve to say when the mornings first run")
        [line] = [line for line in said.splitlines() if line.strip().startswith("deadline-sweep/deadline-sweep ")]
        assert line.endswith("06:30"), line
        assert_a_scheduled_run_completes("deadline-sweep/deadline-sweep")
    # Ctrl-C stops serving and the server, cleanly
    assert serving.returncode == 0 and "stopped" in log.read_text(), log.read_text()[-3000:]
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{api}/health", timeout=2)


@pytest.mark.usefixtures("mail")
def test_deployed_to_a_pool_on_postgresql_every_tenants_mornings_are_scheduled_and_a_worker_runs_one(
        project: Project, monkeypatch: pytest.MonkeyPatch, postgres_cluster: Any,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Several municipalities on a Prefect server on PostgreSQL, deployed with `ctc deploy`."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from ctcflow.cli.main import main

    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    assert main(["init"]) == 0 and main(["--tenant", "lund", "init"]) == 0
    database = postgres_cluster.new_database().replace("postgresql+psycopg", "postgresql+asyncpg")
    server = {**SERVER, "PREFECT_SERVER_DATABASE_CONNECTION_URL": database}
    with prefect_server(project.root / "prefect", server) as api, temporary_settings({PREFECT_API_URL: api}):
        capsys.readouterr()
        assert main(["deploy", "--pool", "ctc-mornings"]) == 0
        printed = capsys.readouterr().out  # and it tells the operator when each morning first runs
        [line] = [line for line in printed.splitlines() if "deadline-sweep/deadline-sweep-lund" in line
                  and ":" in line.split("deadline-sweep-lund", 1)[1]]
        assert line.endswith("06:30"), line
        assert_every_morning_scheduled(["malmo", "lund"])
        env = {**os.environ, "CTC_HOME": str(PROJECT_ROOT), "PREFECT_API_URL": api,
               "PREFECT_WORKER_QUERY_SECONDS": "1"}
        with prefect_workers("ctc-mornings", [project.root / "worker.log"], env, limit=1):
            assert_a_scheduled_run_completes("deadline-sweep/deadline-sweep-lund")


def assert_every_morning_scheduled(tenants: list[str]) -> None:
    """Each tenant's scheduled deployments have runs the scheduler made from their own schedule
    (its slug from prefect.yaml), each on a weekday at a promised Stockholm time, the first within
    the next four days, with the tenant as parameter."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateName,
    )

    specs = {spec["name"]: spec for spec in deployment_specs() if spec.get("schedules")}
    settings = get_settings()
    with get_client(sync_client=True) as client:
        for tenant in tenants:
            for name, spec in specs.items():
                deployment_name = deployment_name_for(name, tenant, settings)
                deployment = wait_for(partial(_deployment, client, f"{name}/{deployment_name}"), 120,
                                      f"{deployment_name} to be registered")
                slugs = {schedule.id: schedule.slug for schedule in deployment.schedules}
                assert sorted(slugs.values()) == sorted(s["slug"] for s in spec["schedules"])

                def scheduled(deployment_id: Any = deployment.id) -> list[Any] | None:
                    runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                        deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
                        state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Scheduled"]))))
                    return runs or None

                runs = wait_for(scheduled, 120, f"the scheduler to create runs of {deployment_name}")
                now = datetime.now(STOCKHOLM)
                for run in runs:
                    assert run.created_by is not None and run.created_by.type == "SCHEDULE"
                    assert slugs.get(run.created_by.id) is not None, run.created_by
                    assert run.parameters.get("tenant", settings.default_tenant) == tenant
                    local = run.expected_start_time.astimezone(STOCKHOLM)
                    assert local.weekday() in WEEKDAYS and local.second == 0, (deployment_name, local)
                    assert (local.hour, local.minute) in PROMISED[name], (deployment_name, local)
                first = min(run.expected_start_time for run in runs)
                assert now - timedelta(minutes=1) < first < now + timedelta(days=4), (deployment_name, first)


def assert_a_scheduled_run_completes(deployment: str) -> None:
    """An extra schedule on ``deployment`` (every ten seconds, one run at a time ahead): the run the
    scheduler makes from it is picked up and completed with the deployment's own parameters."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterDeploymentId
    from prefect.client.schemas.schedules import CronSchedule, IntervalSchedule, NoSchedule, RRuleSchedule

    with get_client(sync_client=True) as client:
        target = wait_for(lambda: _deployment(client, deployment), 120, f"{deployment} to be registered")
        every_ten_seconds: IntervalSchedule | CronSchedule | RRuleSchedule | NoSchedule = IntervalSchedule(
            interval=timedelta(seconds=10), timezone="Europe/Stockholm")
        [added] = client.create_deployment_schedules(
            target.id, [(every_ten_seconds, True)],
            max_scheduled_runs=1, slug="test-every-ten-seconds")

        def completed() -> Any:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=[target.id])))
            mine = [run for run in runs if run.created_by is not None and run.created_by.id == added.id]
            failed = [run for run in mine if run.state is not None and run.state.is_final()
                      and not run.state.is_completed()]
            assert not failed, f"a scheduled run ended {failed[0].state}"
            return next((run for run in mine if run.state is not None and run.state.is_completed()), None)

        run = wait_for(completed, 300, f"a scheduled run of {deployment} to complete")
    assert "auto-scheduled" in run.tags and run.parameters.get("tenant") == target.parameters.get("tenant")


def _deployment(client: Any, name: str) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:  # `ctc serve` registers its deployments after it says it serves them
        return None


@contextmanager
def ctc_serve(project: Project, port: int) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    """`ctc serve --port PORT` in a process of its own, until it serves (what it says, in the file
    yielded); stopped as Ctrl-C in its terminal would: SIGINT to it and everything it started."""
    log = project.root / "serve.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}, **SERVER}
    serving = subprocess.Popen([sys.executable, "-m", "ctcflow.cli", "serve", "--port", str(port)], env=env,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: serving.poll() is not None or "serving" in log.read_text(errors="replace"), 240,
                 "ctc serve to serve")
        assert serving.poll() is None, log.read_text(errors="replace")[-3000:]
        yield serving, log
    finally:
        stop_group(serving, signal.SIGINT, patience=120)

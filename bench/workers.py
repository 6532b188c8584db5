"""`./run bench --only workers [--areas 2000]`: many municipalities' morning on one Prefect server
with process workers — two tenants of N areas each, their data in one throw-away PostgreSQL (a
schema each), every deployment registered by `ctc deploy`, and the morning run as the schedules
run it: phase-work (its per-area phase steps; a share handed to each other worker when big
enough), the deadline sweep, and delivery to a local SMTP server — once with one worker, once
with two, each from the same copy of the database.

The day measured is an ordinary busy one: the areas spread over the five phases (each in one,
the ones before it approved, a fifth of the passed deadlines missed), yesterday's notices
already sent, and today a tenth of the areas recorded work, so their phase steps run.
Figures: wall time per stage, flow runs, phase steps and mails, and the speed-up of the second
worker. The machine's cores bound that speed-up: both workers run on this host."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench.city import write_city
from ctcflow.core.config import PROJECT_ROOT, reset_settings

TENANTS = ("syntet", "grann")  # the default tenant and a second municipality of the same shape
SETUP_DAY, MORNING = date(2021, 3, 1), date(2021, 3, 2)
ACTIVE_SHARE = 0.1
POOL = "ctc-bench-pool"


def main(areas: int = 2000, worker_counts: tuple[int, ...] = (1, 2)) -> None:
    import tempfile

    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from db.pgtools import pg_program
    from tests import postgres

    if pg_program("initdb") is None:
        print("    skipped: no PostgreSQL server (15 or later) is installed — ./run test installs it")
        return
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    with tempfile.TemporaryDirectory(prefix="ctc-bench-workers-") as tmp, postgres.postgres_cluster() as cluster:
        folder = Path(tmp)
        with _prefect_server(folder, cluster) as api, \
                temporary_settings({PREFECT_API_URL: api, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            _measure(folder, cluster, areas, worker_counts, api)


def _measure(folder: Path, cluster: Any, areas: int, worker_counts: tuple[int, ...], api: str) -> None:
    """Set up once, deploy once, then the same morning with each number of workers."""
    base = cluster.new_database()
    started = time.perf_counter()
    _set_up(folder, base, areas)
    print(f"    setup: two tenants × {areas} areas on PostgreSQL, each area in one of the five phases, the first "
          f"morning run in-process ({time.perf_counter() - started:.0f} s)")
    from ctcflow.app.deploy import deploy

    registered = deploy(POOL)
    print(f"    `ctc deploy`: {len(registered.names)} deployments on the process pool {POOL}")
    figures = []
    for count in worker_counts:
        url = _copy(cluster, base, f"morning_{count}")
        figures.append((count, _morning(folder, url, count, api)))
    _print(figures, areas)



@contextmanager
def _prefect_server(folder: Path, cluster: Any) -> Iterator[str]:
    """The benchmark's Prefect server, with its own database in the PostgreSQL cluster (SQLite
    locks under several workers' heartbeats) and no UI."""
    from demo.prefect_server import prefect_server

    database = cluster.new_database().replace("postgresql+psycopg", "postgresql+asyncpg")
    with prefect_server(folder / "prefect", {"PREFECT_SERVER_DATABASE_CONNECTION_URL": database,
                                             "PREFECT_UI_ENABLED": "false"}) as api:
        yield api


def _set_up(folder: Path, url: str, areas: int) -> None:
    """Both tenants' cities, initialised, every phase opened, the first morning run here, its
    notices marked sent (yesterday's), and today's work recorded in a tenth of the areas."""
    from bench.sweep import open_every_phase
    from ctcflow.app.jobs import MorningPlan, phase_work, sweep
    from ctcflow.app.setup import init_database
    from ctcflow.core.scope import tenant_scope
    from ctcflow.definition.loader import load_definitions

    write_city(folder, areas)
    second = folder / "tenants" / TENANTS[1]
    second.mkdir(parents=True)
    city = (folder / "areas.yml").read_text(encoding="utf-8")
    (second / "areas.yml").write_text(city.replace("municipality: Syntetstad", "municipality: Grannstad"), "utf-8")
    (second / "tenant.yml").write_text(f"lang: sv\nnotify_block: ctc-{TENANTS[1]}-notify\n", encoding="utf-8")
    os.environ.update(_environment(folder, url))
    reset_settings()
    for tenant in TENANTS:
        with tenant_scope(tenant):
            init_database(date(2018, 8, 1))
            defs = load_definitions()
            open_every_phase(defs, SETUP_DAY)
            _each_area_in_one_phase(defs)
            phase_work(SETUP_DAY, defs=defs)
            sweep(SETUP_DAY, MorningPlan(deliver=False), defs=defs)
            _yesterday_sent_and_today_worked(defs)


def _each_area_in_one_phase(defs: Any) -> None:
    """A city rolling CTC out: area i in the (i mod 5)th phase — those before it approved with
    their milestones met, those after it not opened yet."""
    from sqlalchemy import text

    from db.engine import session_scope

    order = defs.process.order
    rank = "CASE p.phase_id " + " ".join(f"WHEN '{phase}' THEN {i}" for i, phase in enumerate(order)) + " END"
    current = [{"area": a.id, "k": i % len(order)} for i, a in enumerate(defs.org.areas)]
    with session_scope() as session:
        session.execute(text("CREATE TEMP TABLE current_phase (area_id text PRIMARY KEY, k int) ON COMMIT DROP"))
        session.execute(text("INSERT INTO current_phase VALUES (:area, :k)"), current)
        later = f"SELECT p.id FROM phase_instance p JOIN current_phase c USING (area_id) WHERE {rank} > c.k"
        session.execute(text(f"DELETE FROM milestone_instance WHERE phase_instance_id IN ({later})"))
        session.execute(text(f"DELETE FROM phase_instance WHERE id IN ({later})"))
        earlier = f"SELECT p.id FROM phase_instance p JOIN current_phase c USING (area_id) WHERE {rank} < c.k"
        session.execute(text(f"UPDATE milestone_instance SET status = 'done', done_on = LEAST(due_date, :day), "
                             f"done_by = 'bench' WHERE phase_instance_id IN ({earlier})"), {"day": SETUP_DAY})
        session.execute(text(f"UPDATE phase_instance SET completed_on = LEAST(opened_on + 90, :day) "
                             f"WHERE id IN ({earlier})"), {"day": SETUP_DAY})


def _yesterday_sent_and_today_worked(defs: Any) -> None:
    from sqlalchemy import text

    from db.engine import session_scope

    with session_scope() as session:
        session.execute(text("UPDATE notification SET status = 'sent', sent_at = :now WHERE status != 'sent'"),
                        {"now": datetime(2021, 3, 1, 8)})
        every = round(1 / ACTIVE_SHARE)
        chosen = [a.id for i, a in enumerate(defs.org.areas) if i % every == 0]
        # in each chosen area the team marks one open milestone of the current phase done this morning
        rows = session.execute(text(
            "SELECT DISTINCT ON (m.area_id) m.id, m.area_id, m.milestone_id FROM milestone_instance m "
            "WHERE m.status = 'open' AND m.area_id = ANY(:areas) ORDER BY m.area_id, m.due_date"),
            {"areas": chosen}).all()
        for row in rows:
            session.execute(text("UPDATE milestone_instance SET status = 'done', done_on = :day, done_by = 'bench' "
                                 "WHERE id = :id"), {"day": MORNING, "id": row.id})
            session.execute(text(
                "INSERT INTO event (recorded_at, effective_on, actor, area_id, kind, subject, old, new) "
                "VALUES (:at, :day, 'bench', :area, 'milestone_done', :subject, 'open', 'done')"),
                {"at": datetime(2021, 3, 2, 5), "day": MORNING, "area": row.area_id, "subject": row.milestone_id})


def _environment(folder: Path, url: str) -> dict[str, str]:
    return {"CTC_HOME": str(PROJECT_ROOT), "CTC_PHASES_FILE": str(folder / "phases.yml"),
            "CTC_AREAS_FILE": str(folder / "areas.yml"), "CTC_DATA_DIR": str(folder / "data"),
            "CTC_TENANTS_DIR": str(folder / "tenants"), "CTC_DEFAULT_TENANT": TENANTS[0],
            "CTC_NOTIFY_BLOCK": f"ctc-{TENANTS[0]}-notify", "CTC_DATABASE_URL": url}


def _copy(cluster: Any, template: str, name: str) -> str:
    """A database made from the set-up one (PostgreSQL's CREATE DATABASE … TEMPLATE): each run
    starts from the same morning."""
    import psycopg

    source = template.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres",
                         autocommit=True) as conn:  # a template must have no open connections
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (source,))
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {source}")
    return template.rsplit("/", 1)[0] + "/" + name


@dataclass
class Stage:
    """One stage of the morning for both tenants: its wall time, the flow runs it made (its own
    and every run under them), and the longest a run waited from being asked for to running — a
    worker noticing it and starting its process."""

    seconds: float
    flow_runs: list[Any]
    starting: float


def _morning(folder: Path, url: str, workers: int, api: str) -> dict[str, Any]:
    """The morning of both tenants with ``workers`` workers: the stages as the schedules order
    them, each tenant's runs side by side; per stage its wall time and runs, then the phase steps
    and the mails."""
    from demo.mailserver import LocalMailServer
    from demo.workers import prefect_workers

    os.environ["CTC_DATABASE_URL"] = url
    reset_settings()
    with LocalMailServer() as mail:
        _notify_blocks(mail)
        env = {**os.environ, **_environment(folder, url), "PREFECT_API_URL": api, "PREFECT_WORKER_QUERY_SECONDS": "1"}
        env.pop("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", None)  # the workers run as in production
        with prefect_workers(POOL, [folder / f"worker-{workers}-{i}.log" for i in range(workers)], env):
            figures: dict[str, Any] = {}
            start = time.perf_counter()
            for flow in ("phase-work", "deadline-sweep", "deliver-notifications"):
                figures[flow] = _run_everywhere(flow, {"as_of": MORNING.isoformat()})
            figures["morning"] = time.perf_counter() - start
            figures["mails"] = len(mail.received)
            figures["steps"] = _steps(figures["phase-work"].flow_runs)
    return figures


def _notify_blocks(mail: Any) -> None:
    """Each tenant's people's mail addresses in its Secret block: the workers need no variables."""
    from prefect.blocks.system import Secret

    from ctcflow.core.scope import tenant_scope
    from ctcflow.definition.loader import load_definitions

    for tenant in TENANTS:
        with tenant_scope(tenant):
            people = load_definitions().org.everyone()
        value = {p.notify.removeprefix("env:"): mail.url(f"{p.id}@{tenant}.example") for p in people}
        Secret(value=value).save(f"ctc-{tenant}-notify", overwrite=True, _sync=True)  # type: ignore[call-arg,arg-type]


def _run_everywhere(flow: str, parameters: dict[str, Any]) -> Stage:
    """The flow's deployment for every tenant started at once and waited for."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    from ctcflow.app.deploy import deployment_name
    from ctcflow.core.config import get_settings
    from demo.prefect_server import flow_run_of
    from flows.fanout import wait_for_runs

    settings = get_settings()
    began = time.perf_counter()
    started = [flow_run_of(run_deployment(f"{flow}/{deployment_name(flow, tenant, settings)}", parameters=parameters,
                                  timeout=0)) for tenant in TENANTS]
    wait_for_runs([run.id for run in started], flow, poll=0.5)
    seconds = time.perf_counter() - began
    with get_client(sync_client=True) as client:
        runs = [r for run in started for r in _runs_under(client, client.read_flow_run(run.id))]
    deployed = [r for r in runs if r.deployment_id is not None and r.start_time is not None]
    return Stage(seconds, runs, max((r.start_time - r.created).total_seconds() for r in deployed))


def _runs_under(client: Any, run: Any) -> list[Any]:
    """The run and every flow run under it."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
        parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])))
    return [run, *(r for child in children for r in _runs_under(client, child))]


def _steps(flow_runs: list[Any]) -> int:
    """How many per-area phase steps (task runs) the runs recorded (the server records task runs
    from their events, so this is read after the rest of the morning)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId, TaskRunFilterName

    query = TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[r.id for r in flow_runs]),
                          name=TaskRunFilterName(like_=" · "))
    with get_client(sync_client=True) as client:
        answer = client._client.post("/task_runs/count", json={"task_runs": query.model_dump(mode="json")})
    return int(answer.json())


def _print(figures: list[tuple[int, dict[str, Any]]], areas: int) -> None:
    print(f"    the morning of {MORNING}, two tenants × {areas} areas, {ACTIVE_SHARE:.0%} of the areas with work "
          "recorded today (each stage's longest wait for a flow-run process in brackets):")
    print("    workers  phase-work: flow runs, steps        deadline-sweep        deliver (mails)        whole morning")
    for count, f in figures:
        work, sweep, deliver = f["phase-work"], f["deadline-sweep"], f["deliver-notifications"]
        print(f"    {count:>7}  {work.seconds:>6.1f} s ({work.starting:>4.1f} s): {len(work.flow_runs):>2}, "
              f"{f['steps']:>4}   {sweep.seconds:>6.1f} s ({sweep.starting:>4.1f} s)"
              f"   {deliver.seconds:>6.1f} s ({deliver.starting:>4.1f} s) ({f['mails']:>4})   {f['morning']:>9.1f} s")
    if len(figures) > 1:
        print(f"    speed-up of {figures[-1][0]} workers over {figures[0][0]}: "
              f"{figures[0][1]['morning'] / figures[-1][1]['morning']:.2f}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)

"""Deployment as an operator does it: `ctc deploy` registers every tenant's deployments with a
process work pool, two `prefect worker` processes take the runs, and a tenant's work is spread
over both: phase-work runs one share of the per-area phase steps itself and hands the other, as a
run of the tenant's phase-areas deployment, to the other worker; ks-report prints one share of
the report's PDF chunks and the other worker the rest, joined in order and numbered through."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from uuid import UUID

import pypdf
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.app.serve import deployment_specs
from ctcflow.cli.main import main
from ctcflow.core.config import PROJECT_ROOT
from ctcflow.core.errors import CtcError
from ctcflow.core.scope import tenant_scope
from ctcflow.report.pdf import chunks_printed_by, pdf_from_html, print_chunk
from db.engine import session_scope
from db.models import PrintedChunk, ReportArchive, StoredFile
from demo.workers import prefect_workers
from tests.conftest import Project, add_tenant, wait_for

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_ctc_deploy_registers_every_tenant_and_two_workers_share_the_phase_work_and_the_report(
        project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterParentFlowRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )
    from prefect.client.schemas.objects import FlowRun, TaskRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    from demo.prefect_server import flow_run_of

    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    monkeypatch.setenv("CTC_FAN_OUT_SMALLEST", "2")  # four areas' steps that day: a share per worker
    # the report's PDF in two chunks, one per worker (each printed in its worker's process: no printing processes)
    monkeypatch.setenv("CTC_REPORT_AREAS_PER_CHUNK", "3")
    assert main(["--tenant", "lund", "init", "--as-of", "2018-08-01"]) == 0
    capsys.readouterr()
    # the test harness's Prefect server runs no scheduler: ctc deploy registers, then says that nothing
    # will run by itself (tests/test_schedules.py: a server that schedules)
    assert main(["deploy", "--pool", "ctc-test-pool", "--wait", "3"]) == 2
    printed, said = capsys.readouterr()
    assert "made no scheduled run of 10 of 10 scheduled deployments" in said
    assert "will not happen by themselves" in said
    assert "ctc-test-pool (made now, type process)" in printed
    assert "phase-work/phase-work" in printed and "phase-work/phase-work-lund" in printed
    assert "16 deployments" in printed  # the eight of prefect.yaml for each of two tenants

    with get_client(sync_client=True) as client:  # the deployments carry no path of this machine
        registered = client.read_deployment_by_name("phase-work/phase-work-lund")
    assert registered.pull_steps == [{"ctcflow.app.checkout.worker_checkout": {}}]
    # the workers' host keeps its checkout elsewhere; the tenants come from the folder every host shares
    checkout = worker_checkout_elsewhere(project.root / "elsewhere" / "ctcflow")
    env = {**os.environ, "CTC_HOME": str(checkout), "CTC_TENANTS_DIR": str(project.root / "tenants"),
           "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "PREFECT_WORKER_QUERY_SECONDS": "1"}  # a worker asks for runs every second, not every ten
    logs = [project.root / "worker-1.log", project.root / "worker-2.log"]
    with prefect_workers("ctc-test-pool", logs, env, limit=1):
        run = flow_run_of(run_deployment("phase-work/phase-work-lund", parameters={"as_of": "2018-11-15", "deliver": False},
                                 timeout=600))
        assert run.state is not None and run.state.is_completed(), run.state
        with get_client(sync_client=True) as client:
            [deployment] = client.read_deployments(deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=["phase-work-lund"])))
            assert "tenant:lund" in deployment.tags and deployment.parameters["tenant"] == "lund"
            children = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])))
            [batch] = [b for b in children if b.deployment_id is not None]  # the share handed out
            assert batch.state is not None and batch.state.is_completed()

            def steps(flow_run_id: UUID) -> list[TaskRun] | None:  # task runs are recorded from events: wait
                found = [t for t in client.read_task_runs(task_run_filter=TaskRunFilter(
                    flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id]))) if t.task_key.startswith("phase_step")]
                return found if len(found) == 2 and all(t.state and t.state.is_completed() for t in found) else None

            ours = wait_for(lambda: steps(run.id), 60, "phase-work's own share of steps")
            theirs = wait_for(lambda: steps(batch.id), 60, "the handed-out share of steps")
        # each area's step once, named after its phase, area and day, tagged with the area
        assert sorted(t.name.split(" · ")[1] for t in ours + theirs) == sorted(
            ["bellevuegarden_lorensborg", "hermodsdal_nydala_gullviksborg",
             "kirsebergsstaden_rostorp_segevang_segemolla", "mollevangen_radmansvangen_sodervarn"])
        assert all(f"area:{t.name.split(' · ')[1]}" in t.tags for t in ours + theirs)
        # every run it started, task or subflow, filed under the tenant as the deployment's own run is
        started: list[FlowRun | TaskRun] = [*children, *ours, *theirs]
        assert all("tenant:lund" in r.tags for r in started), [r.tags for r in children]
        # each worker took a run (one at a time each: the one running phase-work leaves the share to the other)
        def runs_taken(log: Path, at_least: int) -> int | None:
            count = log.read_text().count("submitted to infrastructure")
            return count if count >= at_least else None

        taken = [wait_for(partial(runs_taken, log, 1), 60, f"{log.name} to have taken a run") for log in logs]
        assert taken == [1, 1]  # phase-work, and the share it handed out

        # the report to KS on its due date: its PDF printed by both workers, one document
        run = flow_run_of(run_deployment("ks-report/ks-report-lund", parameters={"as_of": "2020-04-30", "deliver": False},
                                 timeout=600))
        assert run.state is not None and run.state.is_completed(), run.state
        with get_client(sync_client=True) as client:
            [share] = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])))
        assert share.state is not None and share.state.is_completed() and share.deployment_id is not None
        for log in logs:  # each took a second run: ks-report, and the share of chunks it handed out
            wait_for(partial(runs_taken, log, 2), 60, f"{log.name} to have taken a second run")
        # the other deployments of the tenant, each completed by the workers from their own checkout
        assert main(["--tenant", "lund", "survey", "store", str(survey_export(project.root / "enkat.csv"))]) == 0
        stored = capsys.readouterr().out.split("file=")[1].strip()
        for name, parameters in (("advance-phases", {"as_of": "2018-11-15", "deliver": False}),
                                 ("deadline-sweep", {"as_of": "2018-11-15", "deliver": False}),
                                 ("deliver-notifications", {"as_of": "2018-11-15"}),
                                 ("survey-wave", {"wave": "2019", "file": stored, "as_of": "2019-04-01"})):
            run = flow_run_of(run_deployment(f"{name}/{name}-lund", parameters=parameters, timeout=600))
            assert run.state is not None and run.state.is_completed(), (name, run.state)
        expected = {f"{spec['name']}-lund" for spec in deployment_specs()}  # every deployment of prefect.yaml
        with get_client(sync_client=True) as client:
            ids = {d.id: d.name for d in client.read_deployments(deployment_filter=DeploymentFilter(
                name=DeploymentFilterName(any_=sorted(expected))))}
            ran = {ids[r.deployment_id] for r in client.read_flow_runs(flow_run_filter=FlowRunFilter(
                deployment_id=FlowRunFilterDeploymentId(any_=list(ids))), limit=200)
                if r.deployment_id in ids and r.state is not None and r.state.is_completed()}
        assert ran == expected
        assert all("CTC_HOME=" not in log.read_text() for log in logs)
    with tenant_scope("lund"), session_scope() as session:
        archived = dict(session.execute(select(col(ReportArchive.format), col(ReportArchive.content))).tuples().all())
        left = session.execute(select(func.count()).select_from(PrintedChunk)).scalar_one()
        files = session.execute(select(func.count()).select_from(StoredFile)).scalar_one()
    assert left == files == 0  # the chunks and their PDFs are gone once joined
    # the same document, byte for byte, as the report's HTML printed here — pages in order, numbered through
    with chunks_printed_by(lambda documents: [print_chunk(document) for document in documents]):
        assert archived["pdf"] == pdf_from_html(archived["html"].decode("utf-8"), per_chunk=3)
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(archived["pdf"])).pages]
    assert len(pages) > 5 and all(text.rstrip().endswith(f"{n} ({len(pages)})") for n, text in enumerate(pages, 1))


def worker_checkout_elsewhere(folder: Path) -> Path:
    """A checkout of the project at another path than the deploying one's (what a worker host has)."""
    shutil.copytree(PROJECT_ROOT, folder, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".ctc", "tests", "bench", "node_modules", "__pycache__", "*.egg-info", ".*_cache"))
    return folder


def survey_export(path: Path) -> Path:
    from ctcflow.definition.loader import load_definitions
    from ctcflow.definition.survey import load_survey
    from demo.synthetic import Plan, synthetic_wave, write_export

    with tenant_scope("lund"):
        write_export(synthetic_wave(load_survey(), load_definitions().org, Plan(pupils=600, seed=3)), str(path))
    return path


def test_a_worker_refuses_a_folder_that_is_not_a_checkout_and_says_what_to_set(tmp_path: Path) -> None:
    from ctcflow.app.checkout import check_checkout

    (tmp_path / "flows").mkdir()
    with pytest.raises(CtcError) as refused:
        check_checkout(tmp_path)
    assert str(refused.value) == (f"CTC_HOME={tmp_path} on this worker is not a ctcflow checkout (it has no "
                                  "prefect.yaml, phases.yml, templates): set CTC_HOME to the folder of this "
                                  "host's checkout")
    check_checkout(PROJECT_ROOT)


def test_prefect_deploy_refuses_and_names_ctc_deploy_registering_nothing() -> None:
    """`prefect deploy --all` would register the default tenant's deployments without their tenant."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL

    with get_client(sync_client=True) as client:  # the pool prefect.yaml names, as an operator makes it
        client.create_work_pool(WorkPoolCreate(name="ctcflow", type="process"), overwrite=True)
        before = sorted((d.name, str(d.updated)) for d in client.read_deployments())
    done = subprocess.run([sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"], cwd=PROJECT_ROOT,
                          env={**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "register ctcflow's deployments with `ctc deploy [--pool NAME]`, not `prefect deploy`" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    with get_client(sync_client=True) as client:
        assert sorted((d.name, str(d.updated)) for d in client.read_deployments()) == before

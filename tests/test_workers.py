"""Deployment as an operator does it: `ctc deploy` registers every tenant's deployments with a
process work pool, two `prefect worker` processes take the runs, and a tenant's work is spread
over both: phase-work runs one share of the per-area phase steps itself and hands the other, as a
run of the tenant's phase-areas deployment, to the other worker; ks-report prints one share of
the report's PDF chunks and the other worker the rest, joined in order and numbered through."""

from __future__ import annotations

import io
import os
from uuid import UUID

import pypdf
import pytest
from sqlalchemy import func, select

from ctcflow.cli.main import main
from ctcflow.core.config import PROJECT_ROOT
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
        FlowRunFilterParentFlowRunId,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
    )
    from prefect.client.schemas.objects import TaskRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

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

    env = {**os.environ, "CTC_HOME": str(PROJECT_ROOT), "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "PREFECT_WORKER_QUERY_SECONDS": "1"}  # a worker asks for runs every second, not every ten
    logs = [project.root / "worker-1.log", project.root / "worker-2.log"]
    with prefect_workers("ctc-test-pool", logs, env, limit=1):
        run = run_deployment("phase-work/phase-work-lund", parameters={"as_of": "2018-11-15", "deliver": False},
                             timeout=600)
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
        # each worker took a run (one at a time each: the one running phase-work leaves the share to the other)
        taken = [wait_for(lambda log=log: log.read_text().count("submitted to infrastructure") or None, 60,
                          f"{log.name} to have taken a run") for log in logs]
        assert taken == [1, 1]  # phase-work, and the share it handed out

        # the report to KS on its due date: its PDF printed by both workers, one document
        run = run_deployment("ks-report/ks-report-lund", parameters={"as_of": "2020-04-30", "deliver": False},
                             timeout=600)
        assert run.state is not None and run.state.is_completed(), run.state
        with get_client(sync_client=True) as client:
            [share] = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])))
        assert share.state is not None and share.state.is_completed() and share.deployment_id is not None
        for log in logs:  # each took a second run: ks-report, and the share of chunks it handed out
            wait_for(lambda log=log: log.read_text().count("submitted to infrastructure") == 2 or None, 60,
                     f"{log.name} to have taken a second run")
    with tenant_scope("lund"), session_scope() as session:
        archived = dict(session.execute(select(ReportArchive.format, ReportArchive.content)).tuples().all())
        left = session.execute(select(func.count()).select_from(PrintedChunk)).scalar_one()
        files = session.execute(select(func.count()).select_from(StoredFile)).scalar_one()
    assert left == files == 0  # the chunks and their PDFs are gone once joined
    # the same document, byte for byte, as the report's HTML printed here — pages in order, numbered through
    with chunks_printed_by(lambda documents: [print_chunk(document) for document in documents]):
        assert archived["pdf"] == pdf_from_html(archived["html"].decode("utf-8"), per_chunk=3)
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(archived["pdf"])).pages]
    assert len(pages) > 5 and all(text.rstrip().endswith(f"{n} ({len(pages)})") for n, text in enumerate(pages, 1))

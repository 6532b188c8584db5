"""Deployment as an operator does it: `ctc deploy` registers every tenant's deployments with a
process work pool, two `prefect worker` processes take the runs, and a tenant's morning phase
work is spread over both — phase-work runs one share of the per-area flows itself and hands the
other, as a run of the tenant's phase-areas deployment, to the other worker."""

from __future__ import annotations

import os

import pytest

from ctcflow.cli.main import main
from ctcflow.core.config import PROJECT_ROOT
from demo.workers import prefect_workers
from tests.conftest import Project, add_tenant, wait_for

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_ctc_deploy_registers_every_tenant_and_two_workers_share_the_phase_work(
        project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterName,
        FlowRunFilter,
        FlowRunFilterParentFlowRunId,
    )
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    add_tenant(project, monkeypatch, "lund", "Lunds kommun")
    monkeypatch.setenv("CTC_FAN_OUT_SMALLEST", "2")  # four areas' phase flows that day: a share per worker
    assert main(["--tenant", "lund", "init", "--as-of", "2018-08-01"]) == 0
    capsys.readouterr()
    assert main(["deploy", "--pool", "ctc-test-pool"]) == 0
    printed = capsys.readouterr().out
    assert "ctc-test-pool (made now, type process)" in printed
    assert "phase-work/phase-work" in printed and "phase-work/phase-work-lund" in printed
    assert "14 deployments" in printed  # the seven of prefect.yaml for each of two tenants

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
            ours = [r for r in children if r.deployment_id is None]  # phase-work's own share
            theirs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[batch.id])))
        assert len(ours) == len(theirs) == 2
        assert sorted(r.name.split(" · ")[1] for r in ours + theirs) == sorted(
            ["bellevuegarden_lorensborg", "hermodsdal_nydala_gullviksborg",
             "kirsebergsstaden_rostorp_segevang_segemolla", "mollevangen_radmansvangen_sodervarn"])
        # each worker took a run (one at a time each: the one running phase-work leaves the share to the other)
        taken = [wait_for(lambda log=log: log.read_text().count("submitted to infrastructure") or None, 60,
                          f"{log.name} to have taken a run") for log in logs]
        assert taken == [1, 1]  # phase-work, and the share it handed out

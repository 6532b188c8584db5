"""A share of phase-work handed to another worker that never does it — its worker died, or none
took it — is not waited for for ever: at the deadline the run is cancelled on the server (so no
worker starts it late) and handed back, for the run that handed it out to do itself."""

from __future__ import annotations

import pytest

from ctcflow.cli.main import main
from flows.fanout import wait_for_runs
from tests.conftest import Project

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_a_share_nobody_does_is_cancelled_at_the_deadline_and_handed_back(
        project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    from demo.prefect_server import flow_run_of

    assert main(["init", "--as-of", "2018-08-01"]) == 0
    main(["deploy", "--pool", "ctc-pool-nobody-serves", "--wait", "0"])  # registered; no worker will come
    capsys.readouterr()
    share = flow_run_of(run_deployment("advance-phases/advance-phases", parameters={"as_of": "2018-09-03"}, timeout=0))
    late = wait_for_runs([share.id], "advance-phases/advance-phases", poll=0.2, deadline=2)
    assert late == [share.id]  # handed back: the caller does its steps itself
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(share.id).state
    assert state is not None and state.is_cancelled() and "not done within 2 s" in (state.message or "")

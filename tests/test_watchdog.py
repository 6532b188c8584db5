"""The watchdog on a real Prefect server (its services running): `ctc deploy` installs the
automations, and the operator's notification block (a webhook here, on loopback) is told when a
run went silent — marked crashed within its limit, so its concurrency slot frees — and when a run
of the morning was not started by any worker.

The silent run is what a dead worker host leaves behind, seen from the server: a run that is
Running, sent a heartbeat, and then nothing."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ctcflow.app.jobs import sweep as sweep_morning
from ctcflow.cli.main import main
from ctcflow.core.config import reset_settings
from demo.mailserver import free_port
from demo.prefect_server import prefect_server
from demo.workers import prefect_workers
from tests.conftest import Project, wait_for

SERVER = {"PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS": "2",
          "PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS": "PT5S"}


@contextmanager
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An HTTP endpoint on loopback keeping the JSON posted to it (the operator's chat channel)."""
    posts: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", posts
    finally:
        server.shutdown()


def heartbeat(api: str, event: Any) -> None:
    """The event sent to this server, on a connection of its own (the process's shared events
    worker may be bound to another test's server)."""
    from prefect.events.clients import PrefectEventsClient

    async def send() -> None:
        async with PrefectEventsClient(api_url=api) as client:
            await client.emit(event)

    asyncio.run(send())


def test_the_watchdog_marks_a_silent_run_crashed_and_tells_of_it_and_of_a_run_nobody_started(
        project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.client.orchestration import get_client
    from prefect.events import Event, RelatedResource, Resource
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Running

    monkeypatch.setenv("CTC_WATCHDOG_SILENT_SECONDS", "10")
    reset_settings()
    with prefect_server(project.root / "prefect", SERVER) as api, temporary_settings({PREFECT_API_URL: api}), \
            webhook() as (url, posts):
        CustomWebhookNotificationBlock(name="ops", url=url, json_data={"subject": "{{subject}}", "body": "{{body}}"},
                                       headers=None, cookies=None).save("ops-hook")
        assert main(["deploy", "--pool", "ctc-watched", "--wait", "0", "--watchdog-block", "ops-hook"]) == 0
        assert "watchdog: 3 automations on the server — told through the notification block ops-hook" in \
            capsys.readouterr().out
        with get_client(sync_client=True) as client:
            sweep = client.read_deployment_by_name("deadline-sweep/deadline-sweep")
            assert sweep.job_variables == {"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"}}  # runs send heartbeats

            # a run whose worker died: Running, one heartbeat, then silence
            silent = client.create_flow_run_from_deployment(sweep.id, parameters={"as_of": "2018-11-15"})
            client.set_flow_run_state(silent.id, Running(), force=True)
            heartbeat(api, Event(event="prefect.flow-run.heartbeat",
                                 resource=Resource({"prefect.resource.id": f"prefect.flow-run.{silent.id}",
                                                    "prefect.resource.name": silent.name}),
                                 related=[RelatedResource({"prefect.resource.id": "prefect.tag.ctc",
                                                           "prefect.resource.role": "tag"})]))

            def crashed() -> Any:
                state = client.read_flow_run(silent.id).state
                return state if state is not None and state.is_crashed() else None

            state = wait_for(crashed, 120, "the watchdog to mark the silent run crashed")
            assert "no heartbeat for 10 s" in (state.message or "")
            told = wait_for(lambda: [p for p in posts if p["subject"] == "ctcflow: a run stopped without ending"], 60,
                            "the operator to be told of the silent run")
            assert silent.name in told[0]["body"] and "marked crashed" in told[0]["body"]

            # the morning's run that no worker takes (the pool has none): late, and told
            waiting = client.create_flow_run_from_deployment(sweep.id, parameters={"as_of": "2018-11-16"})
            told = wait_for(lambda: [p for p in posts if p["subject"] == "ctcflow: a run did not start"
                                     and waiting.name in p["body"]], 120, "the operator to be told of the late run")
            assert "no worker of pool ctc-watched took it" in told[0]["body"]

        # what a monitor's `ctc health` says of the pool: no worker, then one
        monkeypatch.setenv("PREFECT_API_URL", api)
        assert main(["init", "--as-of", "2018-11-15"]) == 0
        sweep_morning(date(2018, 11, 15))
        capsys.readouterr()
        assert main(["health", "--as-of", "2018-11-15", "--pool", "ctc-watched", "--lang", "en"]) == 1
        assert "Workers online in pool ctc-watched: 0 — NO WORKER: no morning will run" in capsys.readouterr().out
        env = {**os.environ, "PREFECT_WORKER_QUERY_SECONDS": "1"}
        with prefect_workers("ctc-watched", [project.root / "worker.log"], env, limit=1):
            def one_online() -> str | None:
                main(["health", "--as-of", "2018-11-15", "--pool", "ctc-watched", "--lang", "en"])
                said = capsys.readouterr().out
                return said if "Workers online in pool ctc-watched: 1" in said else None

            wait_for(one_online, 60, "the worker to be online")
            assert main(["health", "--as-of", "2018-11-15", "--pool", "ctc-watched"]) == 0

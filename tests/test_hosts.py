"""Nothing tied to one machine: two hosts — each its own data directory and process, one shared
database and one Prefect server — accept each other's links and serve each other's uploads."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.core.config import reset_settings
from db.engine import session_scope
from db.models import MilestoneInstance
from demo.mailserver import free_port
from tests.conftest import Project, wait_for
from tests.test_security import request
from tests.webserver import session_for, web_server

AREA = "bellevuegarden_lorensborg"
pytestmark = pytest.mark.usefixtures("prefect_server")


def _host_env(project: Project, name: str, port: int) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {"CTC_DATA_DIR": str(project.root / name), "CTC_WEB_BASE_URL": f"http://127.0.0.1:{port}",
            "CTC_DATABASE_URL": f"sqlite:///{project.root / 'shared.db'}",  # one database for both hosts
            "PREFECT_API_URL": str(PREFECT_API_URL.value())}


@contextmanager
def other_host(project: Project, port: int) -> Iterator[str]:
    """`ctc web` as another machine runs it: its own process and data directory."""
    env = {**os.environ, **_host_env(project, "host-b", port)}
    env.pop("CTC_WEB_SECRET_KEY", None)
    server = subprocess.Popen([sys.executable, "-m", "ctcflow.cli", "web", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: server.poll() is not None or _answers(url), 120, "host B's web server")
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return request(f"{url}/login")[0] == 200
    except OSError:
        return False


def test_a_link_made_on_one_host_signs_in_on_another_and_an_upload_is_served_by_both(
        project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    port_a, port_b = free_port(), free_port()
    for name, value in _host_env(project, "host-a", port_a).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CTC_WEB_SECRET_KEY", raising=False)
    reset_settings()
    init_database(date(2018, 8, 1))

    # a reminder's sign-in link, made on host B (a worker) …
    env_b = {**os.environ, **_host_env(project, "host-b", port_a)}
    made = subprocess.run([sys.executable, "-m", "ctcflow.cli", "web-link", "samordnare"], env=env_b,
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip().splitlines()[-1]
    # … opens on host A's pages
    with web_server(port_a) as host_a:
        status, _, page = request(link)
        assert status == 200 and "Länken är ogiltig" not in page and "Central samordnare CTC" in page

        # a document uploaded on host A …
        with session_scope() as session:
            instance = session.execute(select(MilestoneInstance).where(
                col(MilestoneInstance.area_id) == AREA,
                col(MilestoneInstance.milestone_id) == "kontaktperson_utsedd")).scalar_one()
        cookie, csrf = session_for("samordnare")
        document = b"%PDF-1.4 protokoll fran styrgruppen " * 100
        body = (f"--XYZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n"
                "--XYZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"beslut.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + document + b"\r\n--XYZ--\r\n"
        status, _, _ = request(f"{host_a}/omrade/{AREA}/klar/{instance.id}", "POST", cookie=cookie, body=body,
                               headers={"Content-Type": "multipart/form-data; boundary=XYZ"})
        assert status == 303
    sha = hashlib.sha256(document).hexdigest()

    # … is downloaded from host B, which never saw it
    with other_host(project, port_b) as host_b:
        answer = _download(f"{host_b}/omrade/{AREA}/bevis/{sha}?namn=beslut.pdf", cookie)
    assert answer == document
    for host in ("host-a", "host-b"):  # neither host keeps a key or a document of its own
        kept = {p.name for p in (project.root / host).rglob("*")} if (project.root / host).exists() else set()
        assert "web-secret-key" not in kept and sha not in kept


def _download(url: str, cookie: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=60) as response:
        return bytes(response.read())

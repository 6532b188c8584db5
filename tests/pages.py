"""A city's pages on a real server, for the tests of the pages: Bellevuegården's team reminded
of its core group on DAY, the mails caught by the loopback SMTP server, the links read from them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from ctcflow.app.jobs import sweep
from ctcflow.app.progress import record_done
from db.engine import session_scope
from db.models import MilestoneInstance
from demo.mailserver import LocalMailServer
from tests.conftest import Project, pages_port, wait_for
from tests.webserver import web_server

DAY = date(2018, 10, 1)  # Bellevuegården's team is reminded of its core group, due 2018-10-15
LINK = re.compile(r"http://127\.0\.0\.1:\d+/l/[\w.\-]+")


@dataclass
class Site:
    url: str
    mail: LocalMailServer
    shots: Path

    def link_to(self, person: str, subject_start: str = "", seconds: float = 30) -> str:
        """The link of a message whose subject starts so — or of such a line of the person's brief
        (waited for: a sign-in link is sent after the page has answered)."""
        return wait_for(lambda: self._link_to(person, subject_start), seconds, f"a link mailed to {person}")

    def _link_to(self, person: str, subject_start: str) -> str | None:
        in_brief = re.compile(r"^- " + re.escape(subject_start) + r".*\n\s+(" + LINK.pattern + ")", re.MULTILINE)
        for message in self.mail.to(f"{person}@test.example"):
            found = LINK.search(message.body)
            if found and message.subject.startswith(subject_start):
                return found.group(0)
            line = in_brief.search(message.body.replace("\r\n", "\n"))
            if line:
                return line.group(1)
        return None


@pytest.fixture
def site(project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Site]:
    port = pages_port(monkeypatch)
    record_done("bellevuegarden_lorensborg", "utvecklingsledare_pa_plats", by="samordnare", as_of=date(2018, 9, 20),
                evidence="anställningsbeslut", note=None)  # what the core group depends on
    sweep(DAY)
    with web_server(port, as_of=DAY) as url:
        yield Site(url, mail, tmp_path)


def _milestone(instance_id: int) -> MilestoneInstance:
    with session_scope() as session:
        found = session.get(MilestoneInstance, instance_id)
        assert found is not None
        session.expunge(found)
        return found


def _instance_of(link: str) -> int:
    import base64
    import json

    body = link.rsplit("/", 1)[1].split(".")[0]
    return int(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["d"]["m"])



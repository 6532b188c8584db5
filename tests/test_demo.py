"""The README's first command: the demo replays Malmö on a fresh database and mails through
the local SMTP server it starts itself."""

from __future__ import annotations

import mailbox
from datetime import date
from email import message_from_binary_file, policy
from pathlib import Path

import pytest

from demo.__main__ import main as demo_main
from tests.conftest import Project


def test_the_demo_replays_malmo_and_sends_its_reminders_by_mail(project: Project, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    workdir = tmp_path / "demo"
    assert demo_main(["--until", "2019-06-28", "--workdir", str(workdir)]) == 0
    out = capsys.readouterr().out

    assert "local SMTP server on 127.0.0.1:" in out
    assert "Bellevuegården/Lorensborg" in out and "Lägesanalys" in out  # phases moved on by approvals
    sent = int(out.split(" mails sent")[0].rsplit(" ", 1)[1])
    assert sent > 50
    maildir = mailbox.Maildir(workdir / "mail", factory=lambda f: message_from_binary_file(f, policy=policy.default),
                              create=False)
    mails = list(maildir)
    assert len(mails) == sent
    subjects = [str(m["Subject"]) for m in mails]
    assert any(s.startswith("Ny fas i") for s in subjects)
    assert any(s.startswith("CTC i dag") for s in subjects)  # each person's brief of the day
    assert any(s.startswith("CTC vecka") for s in subjects)
    assert {str(m["To"]) for m in mails} >= {"samordnare@demo.local", "ul_bellevue@demo.local"}
    assert date(2019, 6, 28).isoformat() in out
    # a page a new user can open at once: the coordinator's overview, every area in it
    snapshot = (workdir / "oversikt.html").read_text(encoding="utf-8")
    assert snapshot.count('<tr data-area="') == 5 and "Översikt" in snapshot
    assert "./run web --as-of 2019-06-28" in out and "/l/" in out

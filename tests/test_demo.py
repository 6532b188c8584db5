"""The README's first command: the demo replays Malmö on a fresh database and mails through
the local SMTP server it starts itself (the 2018–2024 replay the report tests read as well)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ctcflow.cli.main import main
from ctcflow.core.config import reset_settings
from demo.mailserver import maildir_mails
from tests.conftest import snapshot_of


def test_the_demo_replays_malmo_and_sends_its_reminders_by_mail(replay_2024: Path) -> None:
    workdir = replay_2024
    out = (workdir / "output.txt").read_text(encoding="utf-8")

    assert "local SMTP server on 127.0.0.1:" in out
    assert "Bellevuegården/Lorensborg" in out and "Uppföljning" in out  # phases moved on by approvals
    sent = int(out.split(" mails sent")[0].rsplit(" ", 1)[1])
    assert sent > 50
    mails = maildir_mails(workdir / "mail")
    assert len(mails) == sent
    # every mail filed is one the outbox recorded as accepted by the server, and none twice (one
    # person's address was changed on the people page, so the subjects are compared, one for one)
    outbox = sqlite3.connect(workdir / "ctc.db")
    accepted = sorted(" ".join(subject.split()) for (subject,) in outbox.execute(
        "SELECT subject FROM notification WHERE status = 'sent'"))
    outbox.close()
    assert sorted(" ".join(str(m["Subject"]).split()) for m in mails) == accepted
    subjects = [str(m["Subject"]) for m in mails]
    assert any(s.startswith("Ny fas i") for s in subjects)
    assert any(s.startswith("CTC i dag") for s in subjects)  # each person's brief of the day
    assert any(s.startswith("CTC vecka") for s in subjects)
    assert {str(m["To"]) for m in mails} >= {"samordnare@demo.local", "ul_bellevue@demo.local"}
    assert "2024-12-31" in out
    # a page a new user can open at once: the coordinator's overview, every area in it
    snapshot = (workdir / "oversikt.html").read_text(encoding="utf-8")
    assert snapshot.count('<tr data-area="') == 14 and "Översikt" in snapshot  # five running, nine planned
    assert "./run web --as-of 2024-12-31" in out and "/l/" in out


def test_sync_says_which_phases_it_opened(replay_2024: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Two years after the replay the follow-up cycles are due: sync opens them and says so."""
    monkeypatch.setenv("CTC_DATA_DIR", str(snapshot_of(replay_2024, tmp_path / "demo")))
    reset_settings()
    try:
        assert main(["sync", "--as-of", "2026-11-25"]) == 0
        out = capsys.readouterr().out
        assert "opened 5 phase(s) whose time had come" in out and "nothing to change" not in out
        assert "bellevuegarden_lorensborg: uppfoljning (cycle 4) from 2026-05-13" in out
        assert main(["sync", "--as-of", "2026-11-25"]) == 0
        assert "nothing to change" in capsys.readouterr().out
    finally:
        reset_settings()

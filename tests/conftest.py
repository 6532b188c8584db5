"""Every test gets its own project directory: copies of the shipped definitions and a fresh
SQLite file, selected through the same CTC_ settings a user would set."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Prefect must never touch the user's ~/.prefect: its home is a throw-away folder, set before
# anything imports prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="ctc-prefect-home-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)

from ctcflow.core.config import PROJECT_ROOT, reset_settings  # noqa: E402
from tests.smtp import SmtpSink  # noqa: E402


@dataclass
class Project:
    root: Path

    @property
    def phases(self) -> Path:
        return self.root / "phases.yml"

    @property
    def areas(self) -> Path:
        return self.root / "areas.yml"

    def edit(self, which: str, old: str, new: str) -> None:
        """Replace one exact passage of a definition file (the test fails if it is not there)."""
        path = self.root / which
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {which}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    for name in ("phases.yml", "areas.yml", "survey.yml", "programmes.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    monkeypatch.setenv("CTC_PHASES_FILE", str(tmp_path / "phases.yml"))
    monkeypatch.setenv("CTC_AREAS_FILE", str(tmp_path / "areas.yml"))
    monkeypatch.setenv("CTC_SURVEY_FILE", str(tmp_path / "survey.yml"))
    monkeypatch.setenv("CTC_PROGRAMMES_FILE", str(tmp_path / "programmes.yml"))
    monkeypatch.setenv("CTC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CTC_DATABASE_URL", raising=False)
    reset_settings()
    yield Project(tmp_path)
    reset_settings()


@pytest.fixture
def mail(project: Project, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback; every person's env: reference points at it, addressed
    ``<person id>@test.example``."""
    from ctcflow.definition.loader import load_definitions

    sink = SmtpSink().start()
    defs = load_definitions()
    for person in defs.org.everyone():
        source, name = person.notify.split(":", 1)
        if source == "env":
            monkeypatch.setenv(name, sink.url(f"{person.id}@test.example"))
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for the whole session (starting one takes ~10 s); flow
    heartbeats off, which takes a flow call from ~1 s to ~0.1 s."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120), \
            temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield

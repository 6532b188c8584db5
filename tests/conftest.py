"""Every test gets its own project directory: copies of the shipped definitions and a fresh
SQLite file, selected through the same CTC_ settings a user would set."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest

# Prefect must never touch the user's ~/.prefect: its home is a throw-away folder, set before
# anything imports prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="ctc-prefect-home-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)

# Prefect sets up its logging when prefect.main is first imported: its console handler writes to the stderr of
# that moment. Imported here, that is the session's; imported first inside a test that captures
# its output (capsys), it would be that test's stream, closed once the test ends — and every
# later test's Prefect log line would fail on it.
import prefect.main  # noqa: E402, F401

from ctcflow.core.config import PROJECT_ROOT, reset_settings  # noqa: E402
from demo.mailserver import LocalMailServer  # noqa: E402


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


def use_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The project's definition files copied to ``root`` and the settings pointing there."""
    for name in ("phases.yml", "areas.yml", "survey.yml", "programmes.yml"):
        shutil.copy(PROJECT_ROOT / name, root / name)
    monkeypatch.setenv("CTC_PHASES_FILE", str(root / "phases.yml"))
    monkeypatch.setenv("CTC_AREAS_FILE", str(root / "areas.yml"))
    monkeypatch.setenv("CTC_SURVEY_FILE", str(root / "survey.yml"))
    monkeypatch.setenv("CTC_PROGRAMMES_FILE", str(root / "programmes.yml"))
    monkeypatch.setenv("CTC_DATA_DIR", str(root / "data"))
    monkeypatch.delenv("CTC_DATABASE_URL", raising=False)
    reset_settings()
    return Project(root)


def add_tenant(project: Project, monkeypatch: pytest.MonkeyPatch, tenant: str, municipality: str,
               settings: str = "") -> Path:
    """A second municipality beside the project's own: tenants/<tenant>/ with a copy of the areas
    under another municipality's name (the same area ids and env: names — the worst case for
    keeping them apart) and a tenant.yml of ``settings``."""
    folder = project.root / "tenants" / tenant
    folder.mkdir(parents=True)
    areas = (project.root / "areas.yml").read_text(encoding="utf-8")
    assert "municipality: Malmö stad" in areas
    # what Malmö's reports say about Malmö (its decision, diarienummer, meetings) is Malmö's own
    own, malmos = areas.index("\nreports:\n"), areas.index("\nadministrations:")
    areas = areas[:own] + areas[malmos:]
    (folder / "areas.yml").write_text(areas.replace("municipality: Malmö stad", f"municipality: {municipality}"),
                                      encoding="utf-8")
    (folder / "tenant.yml").write_text(settings or "lang: sv\n", encoding="utf-8")
    monkeypatch.setenv("CTC_TENANTS_DIR", str(project.root / "tenants"))
    reset_settings()
    return folder


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    """The project; for a test marked ``both_databases``, once on SQLite and once on a fresh
    database of the session's throw-away PostgreSQL."""
    chosen = use_project(tmp_path, monkeypatch)
    if getattr(request, "param", "sqlite") == "postgresql":
        cluster = request.getfixturevalue("postgres_cluster")
        monkeypatch.setenv("CTC_DATABASE_URL", cluster.new_database())
        reset_settings()
    yield chosen
    if getattr(request, "param", "sqlite") == "postgresql":
        from ctcflow.core.config import get_settings
        from db.engine import engine_for
        engine_for(get_settings().db_url).dispose()
    reset_settings()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked ``both_databases`` run on SQLite and on PostgreSQL (the flows, delivery, the
    pages and the reports: where the two databases' locking and types differ)."""
    if metafunc.definition.get_closest_marker("both_databases") and "project" in metafunc.fixturenames:
        metafunc.parametrize("project", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[object]:
    """One throw-away PostgreSQL server for the session (initdb/pg_ctl from the OS packages,
    as an ordinary user, on loopback); `./run test` installs the packages where they are missing."""
    from tests import postgres

    with postgres.postgres_cluster() as cluster:
        yield cluster


@pytest.fixture
def mail(project: Project, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalMailServer]:
    """A real SMTP server on loopback; every person's env: reference points at it, addressed
    ``<person id>@test.example``."""
    from ctcflow.definition.loader import load_definitions

    sink = LocalMailServer().start()
    defs = load_definitions()
    for person in defs.org.everyone():
        source, name = person.notify.split(":", 1)
        if source == "env":
            monkeypatch.setenv(name, sink.url(f"{person.id}@test.example"))
    yield sink
    sink.stop()


REPLAY_INPUTS = ("ctcflow", "db", "demo", "templates", "phases.yml", "areas.yml", "survey.yml", "programmes.yml",
                 "requirements.lock")


def _replay_key() -> str:
    """A hash of everything the replay's outcome depends on: code, templates, definitions, pins."""
    digest = hashlib.sha256()
    for name in REPLAY_INPUTS:
        root = PROJECT_ROOT / name
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def pages_port(monkeypatch: pytest.MonkeyPatch) -> int:
    """A free port for the pages, the settings that point their links there and sign them, and
    the project's database set up on 2018-08-01 (the areas' start): what a test of the pages
    on a fresh city begins with."""
    from ctcflow.app.setup import init_database
    from demo.mailserver import free_port

    port = free_port()
    monkeypatch.setenv("CTC_WEB_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("CTC_WEB_SECRET_KEY", "test-key-not-a-secret-0123456789abcdef")
    reset_settings()
    init_database(date(2018, 8, 1))
    return port


def _replay_dir() -> Path:
    return PROJECT_ROOT / ".ctc" / "test-cache" / f"replay-2024-{_replay_key()}"


_building: subprocess.Popen[bytes] | None = None


def _printed(cached: Path) -> Path:
    return cached.parent / f"{cached.name}.output.txt"


# What makes a test slow, so `pytest -m "not slow"` is the domain rules alone: a fixture that
# starts a server or reads the replay, a run on PostgreSQL, or a module that drives a browser or
# Prefect flow runs.
SLOW_FIXTURES = {"postgres_cluster", "prefect_server", "replay_2024", "replayed", "site", "sso_site"}
SLOW_CALLS = ("chromium(", "web_server(", "prefect_server(", "run_deployment(", "from flows", "import flows",
              "postgres_server(")


def _is_slow(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    if fixtures & SLOW_FIXTURES or (callspec is not None and callspec.params.get("project") == "postgresql"):
        return True
    return _module_is_slow(str(item.path))


@functools.cache
def _module_is_slow(path: str) -> bool:
    source = Path(path).read_text(encoding="utf-8")
    return any(call in source for call in SLOW_CALLS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tests (above), before ``-m`` selects by the mark."""
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Once the tests are selected: start the 2018–2024 replay at once, in a process of its own,
    when a selected test needs it and it is not cached, and run its readers last — on two cores it
    is built beside the other tests instead of before the first one that reads it. (Tests not
    selected, ``-m "not slow"`` or ``-k``, never start it.)"""
    global _building
    items = session.items
    readers = [item for item in items if "replay_2024" in getattr(item, "fixturenames", ())]
    if not readers:
        return
    items[:] = [item for item in items if item not in readers] + readers  # they run last, while it is built
    cached = _replay_dir()
    if (cached / "done").exists():
        return
    for stale in cached.parent.glob("replay-2024-*"):  # earlier code versions' replays, or one cut short
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    cached.parent.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("CTC_DATA_DIR", "CTC_DATABASE_URL")}
    with _printed(cached).open("wb") as output:  # beside the folder: the demo starts from an empty one
        _building = subprocess.Popen([sys.executable, "-m", "demo", "--until", "2024-12-31", "--workdir", str(cached)],
                                     cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A replay still running when the session ends (a run stopped early) is stopped, unfinished."""
    if _building is not None and _building.poll() is None:
        _building.terminate()
        _building.wait()


@pytest.fixture(scope="session")
def replay_2024() -> Path:
    """Malmö's five areas replayed 2018–2024 by the demo (``python -m demo``, started at
    collection) — built once per code version (kept under .ctc/test-cache/, keyed by the code's
    hash, with what the demo printed in ``output.txt``) and never written to: a test copies it
    with ``snapshot_of``."""
    cached = _replay_dir()
    if not (cached / "done").exists():
        assert _building is not None, "the replay was not started at collection"
        code = _building.wait()
        assert code == 0, _printed(cached).read_text(encoding="utf-8", errors="replace")[-3000:]
        _printed(cached).replace(cached / "output.txt")
        (cached / "done").touch()
    return cached


def snapshot_of(replay: Path, target: Path) -> Path:
    """A private copy of a replay's database and mail folder to read (and write) freely."""
    shutil.copytree(replay, target, ignore=shutil.ignore_patterns("done"))
    return target


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for the whole session (starting one takes ~10 s); flow
    heartbeats off, which takes a flow call from ~1 s to ~0.1 s."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120), \
            temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


T = TypeVar("T")


def mornings(first: date, last: date) -> None:
    """The morning (``app.jobs.sweep``: phases, notices, briefs, delivery) of every working day
    from ``first`` to ``last``, as the schedule runs it."""
    from ctcflow.app.jobs import sweep
    from ctcflow.core import calendar

    day = calendar.next_business_day(first)
    while day <= last:
        sweep(day)
        day = calendar.add_business_days(day, 1)


def wait_for(condition: Callable[[], T | None], seconds: float = 30, what: str = "the condition") -> T:
    """The condition's first truthy answer, asked until it comes (mail is delivered after the
    page has answered; a busy machine may take its time) — never a fixed sleep."""
    deadline = time.monotonic() + seconds
    while True:
        answer = condition()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{what} did not come true within {seconds:.0f} s"
        time.sleep(0.1)


@contextmanager
def environment(values: dict[str, str | None]) -> Iterator[None]:
    """Environment variables set (None: removed) for a block — a module's fixture, where
    monkeypatch cannot reach — and put back as they were; the settings are re-read both times."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_settings()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()


from tests.pages import site  # noqa: E402, F401 — the pages' fixture, for every test module

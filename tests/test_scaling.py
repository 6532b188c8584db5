"""What keeps a big city's morning linear and close to its bare query — asserted as counts, never
as time (the figures themselves are in `./run bench --only scaling`): definitions validated once
per change of the files, templates compiled once, a dry run that renders only what it shows,
lookups by id that never scan the city, and a morning written a chunk at a time that writes
exactly what it would write in one piece."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import jinja2
import pytest
from sqlalchemy import create_engine, select
from sqlmodel import col

from ctcflow.app import jobs
from ctcflow.app.jobs import MorningPlan, sweep
from ctcflow.app.people import current_definitions
from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core.errors import DefinitionError
from ctcflow.definition import cache, loader
from ctcflow.definition.organisation import AreaDef, OrganisationDef, PersonDef
from ctcflow.notices import outbox
from db.engine import current_revision, head_revision, session_scope
from db.models import Notification
from tests.conftest import Project

pytestmark = pytest.mark.slow  # fresh interpreters started to count what a command imports


DAY = date(2018, 10, 15)  # Malmö's areas in mobilisering: reminders, due days and escalations


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often phases.yml and areas.yml are parsed and validated in this process."""
    counts: Counter[str] = Counter()
    validate = loader.validate_definitions

    def counting(settings: Any) -> Any:
        counts["validated"] += 1
        return validate(settings)

    monkeypatch.setattr(loader, "validate_definitions", counting)
    cache.forget()
    return counts


def test_definitions_are_validated_once_per_change_of_the_files(project: Project, validations: Counter[str]) -> None:
    first = current_definitions()
    assert current_definitions().org.areas == first.org.areas
    assert validations["validated"] == 1  # the second caller of the same process parses nothing

    cache.forget()  # a new process: the validated result is read from the data directory
    assert current_definitions().org.municipality == first.org.municipality
    assert validations["validated"] == 1

    project.edit("areas.yml", "name: Bellevuegården/Lorensborg", "name: Bellevuegården")
    assert current_definitions().org.area_name("bellevuegarden_lorensborg") == "Bellevuegården"
    assert validations["validated"] == 2  # an edit is a new key: never a stale city


def test_a_file_with_problems_is_refused_every_time_and_never_cached(project: Project,
                                                                    validations: Counter[str]) -> None:
    project.edit("areas.yml", "start: 2018-09-03", "start: 2018-02-30")
    for _ in range(2):
        with pytest.raises(DefinitionError, match="2018-02-30"):
            current_definitions()
    assert validations["validated"] == 2
    assert not list((project.root / "data" / "cache").glob("definitions-*"))


def test_a_damaged_cache_file_is_rebuilt_not_trusted(project: Project, validations: Counter[str]) -> None:
    current_definitions()
    [stored] = (project.root / "data" / "cache").glob("definitions-*.pickle")
    stored.write_bytes(b"not a pickle")
    cache.forget()
    assert current_definitions().org.municipality == "Malmö stad"
    assert validations["validated"] == 2
    assert stored.read_bytes() != b"not a pickle"


def test_a_morning_and_its_status_artifact_load_the_definitions_once(project: Project,
                                                                    validations: Counter[str]) -> None:
    from tasks.reporting import status_rows

    init_database(date(2018, 8, 1))
    before = validations["validated"]
    sweep(DAY, MorningPlan(deliver=False))
    assert status_rows(DAY)  # what the flow's `ctc-status` artifact shows
    assert validations["validated"] == before  # init validated them; the morning read them back


@pytest.fixture
def template_reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every read of a template file and every check of one on disk, by name."""
    counts: Counter[str] = Counter()
    get_source = jinja2.FileSystemLoader.get_source

    def counting(self: jinja2.FileSystemLoader, environment: jinja2.Environment, name: str) -> Any:
        source, filename, uptodate = get_source(self, environment, name)
        counts[f"read {name}"] += 1

        def checked() -> bool:
            counts["disk checks"] += 1
            return bool(uptodate())

        return source, filename, checked

    monkeypatch.setattr(jinja2.FileSystemLoader, "get_source", counting)
    return counts


def test_templates_are_compiled_once_and_never_checked_on_disk_per_message(project: Project,
                                                                          template_reads: Counter[str]) -> None:
    from ctcflow.core.templating import renderer

    renderer.cache_clear()  # a fresh process
    init_database(date(2018, 8, 1))
    written = sweep(DAY, MorningPlan(deliver=False)).enqueued
    by_template = Counter(p.kind for p in written)
    assert len(written) > 20 and len(by_template) >= 3
    reads = {name: n for name, n in template_reads.items() if name.startswith("read ")}
    assert reads and all(n == 1 for n in reads.values()), reads
    assert template_reads["disk checks"] == 0


def test_a_dry_run_renders_only_what_it_shows_and_counts_the_rest(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    rendered: Counter[str] = Counter()
    render = outbox.Notice.render

    def counting(self: outbox.Notice, *args: Any, **kwargs: Any) -> Any:
        rendered[self.kind] += 1
        return render(self, *args, **kwargs)

    monkeypatch.setattr(outbox.Notice, "render", counting)
    monkeypatch.setattr(jobs, "PREVIEW", 3)
    assert main(["sweep", "--dry-run", "--as-of", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert sum(rendered.values()) == 3
    would = int(out.split("utskick beslutade, ")[1].split()[0])
    assert would > 20 and f"… {would - 3} more" in out
    with session_scope() as session:
        assert session.execute(select(Notification)).first() is None


def test_a_morning_written_in_small_chunks_writes_exactly_what_one_piece_would(project: Project,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks bound the memory of a big city's morning; routing (at once, or held for the brief
    once a person's daily cap is reached) must not depend on where a chunk ends."""
    init_database(date(2018, 8, 1))

    def morning() -> list[tuple[str, str, str]]:
        sweep(DAY, MorningPlan(deliver=False))
        with session_scope() as session:
            rows = session.execute(select(col(Notification.key), col(Notification.status), col(Notification.subject))).all()
            session.execute(Notification.__table__.delete())  # type: ignore[attr-defined]
        return sorted((k, s, subject) for k, s, subject in rows)

    whole = morning()
    monkeypatch.setattr(outbox, "CHUNK", 3)
    chunked = morning()
    assert len(whole) > 20 and chunked == whole
    assert {status for _, status, _ in whole} == {"pending", "held"}


class CountingList(list[Any]):
    """A list that counts the passes made over it."""

    passes = 0

    def __iter__(self) -> Iterator[Any]:
        CountingList.passes += 1
        return super().__iter__()


def test_areas_and_people_are_found_by_id_without_scanning_the_city() -> None:
    areas = CountingList(
        AreaDef.model_construct(id=f"a{i}", name=f"A {i}", delomraden=["x"], start=date(2019, 1, 1),
                                people=[PersonDef.model_construct(id=f"p{i}", name="P", role="utvecklingsledare",
                                                                  notify="env:X", lang="sv")],
                                responsibilities=[], team_sectors=[])
        for i in range(2000))
    org = OrganisationDef.model_construct(municipality="Stad", administrations=[], responsibilities=[], central=[],
                                          areas=areas)
    CountingList.passes = 0
    for i in range(0, 2000, 7):
        area = org.area(f"a{i}")
        assert area is not None and area.id == f"a{i}"
        found = org.person(f"p{i}")
        assert found is not None and found[1] is area
    assert org.area("nowhere") is None and org.person("nobody") is None
    assert CountingList.passes <= 2  # one pass to index the areas, one for their people: not one per lookup


def test_the_schema_check_reads_the_shipped_head_as_alembic_does(tmp_path: Any) -> None:
    from alembic.script import ScriptDirectory

    from db.engine import alembic_config

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    with create_engine(f"sqlite:///{tmp_path / 'empty.db'}").connect() as connection:
        assert current_revision(connection) is None


def test_a_command_that_runs_no_flow_imports_neither_prefect_nor_pandas_nor_the_mail_stack(project: Project) -> None:
    import subprocess
    import sys

    init_database(date(2018, 8, 1))
    probe = ("import sys; from ctcflow.cli.main import main; main(['sweep', '--no-deliver', '--as-of', '2018-10-15']); "
             "main(['status', '--as-of', '2018-10-15']); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'pandas', 'apprise', 'weasyprint', "
             "'alembic'}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"

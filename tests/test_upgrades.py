"""Upgrading a database that is in use: from every earlier schema revision, with a city's data in
it, to this version's — the data carried over unchanged and the mornings going on.

The data is a month of mornings (phases opened, reminders, escalations, briefs delivered, the
event log). For each earlier revision the database is taken back to it (alembic's downgrade: what
that revision's schema could hold), then upgraded as `ctc init` upgrades; every table and column
that revision had must hold the same rows afterwards, and the next morning must run."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, inspect, text

from ctcflow.app.jobs import sweep
from ctcflow.app.setup import check_everything, init_database
from ctcflow.core.config import get_settings, reset_settings
from db.engine import (
    alembic_config,
    current_revision,
    engine_for,
    head_revision,
    shipped_revisions,
    sqlite_file,
)
from tests.conftest import Project, mornings

pytestmark = pytest.mark.slow  # every schema revision migrated with a month of data


REVISIONS = shipped_revisions()


def contents(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Every table's rows (columns in name order), without alembic's own."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            if table == "alembic_version":
                continue
            columns = sorted(c["name"] for c in inspect(connection).get_columns(table))
            rows = connection.execute(text(f'SELECT {", ".join(columns)} FROM "{table}"')).all()
            found[table] = {tuple(zip(columns, row, strict=True)) for row in rows}
    return found


def restricted(rows: set[tuple[Any, ...]], columns: set[str]) -> set[tuple[Any, ...]]:
    return {tuple(pair for pair in row if pair[0] in columns) for row in rows}


def migrate(url: str, revision: str, down: bool) -> None:
    from alembic import command

    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


@pytest.mark.parametrize("project", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("mail")
def test_on_postgresql_a_database_at_the_first_revision_with_data_upgrades_keeping_it(project: Project) -> None:
    """The same from 0001 on PostgreSQL (in place: the city's database taken back to 0001)."""
    init_database(date(2018, 8, 1))
    mornings(date(2018, 9, 3), date(2018, 9, 14))
    url = get_settings().db_url
    engine_for(url).dispose()
    migrate(url, REVISIONS[0], down=True)
    with engine_for(url).connect() as connection:
        assert current_revision(connection) == REVISIONS[0]
    before = contents(engine_for(url))
    assert before["milestone_instance"] and before["event"]
    engine_for(url).dispose()
    init_database(date(2018, 9, 17))
    after = contents(engine_for(url))
    for table, rows in before.items():
        columns = {name for name, _ in next(iter(rows))} if rows else set()
        assert restricted(after[table], columns) >= rows, table
    sweep(date(2018, 9, 17))


@pytest.mark.usefixtures("mail")
def test_every_earlier_revision_with_a_month_of_data_upgrades_to_this_one_keeping_it(
        project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    init_database(date(2018, 8, 1))
    mornings(date(2018, 9, 3), date(2018, 10, 5))
    settings = get_settings()
    engine_for(settings.db_url).dispose()
    city = sqlite_file(settings.db_url)
    assert city is not None
    head = head_revision()
    assert REVISIONS[0] == "0001" and REVISIONS[-1] == head and len(REVISIONS) >= 20

    for revision in REVISIONS[:-1]:
        copy = tmp_path / f"at-{revision}.db"
        shutil.copy(city, copy)
        url = f"sqlite:///{copy}"
        migrate(url, revision, down=True)  # the database as a version at `revision` left it
        earlier = create_engine(url)
        with earlier.connect() as connection:
            assert current_revision(connection) == revision
        before = contents(earlier)
        earlier.dispose()
        assert before["milestone_instance"] and before["event"], revision  # a city's data in it

        monkeypatch.setenv("CTC_DATABASE_URL", url)
        reset_settings()
        init_database(date(2018, 10, 8))  # `ctc init`: upgraded, the definitions synced
        after = contents(engine_for(url))
        for table, rows in before.items():
            columns = {name for name, _ in next(iter(rows))} if rows else set()
            assert restricted(after[table], columns) >= rows, (revision, table)  # nothing lost or changed
        checked = check_everything()  # the database and the definitions in step: nothing left to sync
        assert checked.pending is not None and checked.pending.empty, revision
        sweep(date(2018, 10, 8))  # and the next morning runs on it
        engine_for(url).dispose()

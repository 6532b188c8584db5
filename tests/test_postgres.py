"""The same commands against a real PostgreSQL server: migrations, progress, the append-only log."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ctcflow.cli.main import main
from ctcflow.core.config import reset_settings
from db.engine import get_engine
from tests import postgres
from tests.conftest import Project


def test_postgres_end_to_end(project: Project, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    with postgres.postgres_server() as url:
        monkeypatch.setenv("CTC_DATABASE_URL", url)
        reset_settings()
        assert main(["init", "--as-of", "2018-08-01"]) == 0
        assert main(["done", "bellevuegarden_lorensborg", "kontaktperson_utsedd", "--by", "samordnare",
                     "--as-of", "2018-09-10"]) == 0
        capsys.readouterr()
        assert main(["status", "--json", "--as-of", "2018-10-20"]) == 0
        areas = {a["area_id"]: a for a in json.loads(capsys.readouterr().out)["areas"]}
        assert areas["bellevuegarden_lorensborg"]["milestones_done"] == 1
        assert areas["bellevuegarden_lorensborg"]["overdue"] == 2
        assert main(["init"]) == 0  # upgrade on an up-to-date schema is a no-op
        with get_engine().connect() as connection, pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text("DELETE FROM event"))
        get_engine().dispose()

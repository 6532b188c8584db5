"""Backup and restore, as a drill: the database is copied in the middle of the morning's delivery,
the machine is then lost (what it did afterwards with it), the copy is restored, and the morning
finishes — every message delivered, none twice. On SQLite (the online backup API) and on
PostgreSQL (pg_dump of the tenant's schema, beside another tenant's that stays as it was)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import col

from ctcflow.app.jobs import MorningPlan, compose, sweep
from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core.config import get_settings
from ctcflow.delivery.sender import deliver_pending
from db.engine import engine_for, session_scope, sqlite_file
from db.models import DeliveryEvent, Notification
from demo.mailserver import LocalMailServer
from tests.conftest import Project

pytestmark = pytest.mark.slow  # a database copied while a morning runs, then restored


DAY = date(2018, 11, 15)


@pytest.mark.both_databases
def test_a_backup_taken_mid_morning_restored_after_the_loss_finishes_the_morning_once(
        project: Project, mail: LocalMailServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    sweep(DAY, MorningPlan(deliver=False))
    compose(DAY)
    with session_scope() as session:
        pending = set(session.execute(select(col(Notification.id)).where(col(Notification.status) == "pending")).scalars())
    copy = tmp_path / "mid-morning.copy"
    taken: list[str] = []

    def back_up_at_the_fourth(address: str) -> str | None:
        """While the fourth message is being handed over, the database is copied; then the machine
        is going down: the server takes nothing more."""
        if len(mail.received) == 3 and not taken:
            assert main(["backup", "--to", str(copy)]) == 0
            taken.append(capsys.readouterr().out)
        return None

    mail.refuse = back_up_at_the_fourth
    mail.reply = lambda _message: "421 4.3.2 going down" if taken else None
    deliver_pending(workers=1)
    assert len(mail.received) == 3 and taken
    assert f"written to {copy}" in taken[0] and "schema 0020" in taken[0]

    lose_the_database()
    mail.refuse = mail.reply = None  # the new machine's mail goes out
    postgresql = sqlite_file(get_settings().db_url) is None
    if postgresql:  # another municipality's schema in the same database
        with engine_for(get_settings().db_url).begin() as connection:
            connection.execute(text("CREATE SCHEMA ctc_lund; CREATE TABLE ctc_lund.kept (n int); "
                                    "INSERT INTO ctc_lund.kept VALUES (7)"))
    assert main(["restore", str(copy)]) == 2  # it asks first
    assert "what it holds now is lost" in capsys.readouterr().err
    assert main(["restore", str(copy), "--yes"]) == 0
    assert "restored from" in capsys.readouterr().out
    if postgresql:
        with engine_for(get_settings().db_url).connect() as connection:
            assert connection.execute(text("SELECT n FROM ctc_lund.kept")).scalar_one() == 7  # untouched
        # a copy a newer version made is refused once it is read — and what the database held is put back
        url = get_settings().db_url
        with engine_for(url).begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        newer = tmp_path / "newer.dump"
        assert main(["backup", "--to", str(newer)]) == 0
        with engine_for(url).begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
            connection.execute(text("DELETE FROM delivery_event"))  # the database moved on since that copy
        capsys.readouterr()
        assert main(["restore", str(newer), "--yes"]) == 2
        assert "was made by a newer version of ctcflow (schema 0099)" in capsys.readouterr().err
        with engine_for(url).connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
            assert connection.execute(text("SELECT count(*) FROM delivery_event")).scalar_one() == 0
            assert connection.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%before_restore'")
                                      ).scalar_one() == 0

    deliver_pending(now=datetime.now(tz=UTC) + timedelta(hours=1))  # the morning goes on after the lease
    with session_scope() as session:
        statuses = Counter(session.execute(select(col(Notification.status)).where(col(Notification.id).in_(pending))).scalars())
        told = [e.what for e in session.execute(select(DeliveryEvent)).scalars()]
    assert statuses == {"sent": len(pending)}
    received = Counter((m.to, m.subject) for m in mail.received)
    assert len(received) == len(pending) and set(received.values()) == {1}  # each message once
    assert told and set(told) == {"released"}  # what the copy had claimed and not handed over: back, unsent


def lose_the_database() -> None:
    settings = get_settings()
    engine_for(settings.db_url).dispose()
    path = sqlite_file(settings.db_url)
    if path is not None:
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
    else:
        with engine_for(settings.db_url).begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    with pytest.raises((OperationalError, ProgrammingError)), session_scope() as session:  # gone
        session.execute(select(func.count()).select_from(Notification)).scalar_one()


def test_a_file_that_is_not_a_backup_is_refused_and_the_database_is_untouched(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    with session_scope() as session:
        before = session.execute(select(func.count()).select_from(Notification)).scalar_one()
    stranger = tmp_path / "holiday.db"
    with sqlite3.connect(stranger) as other:
        other.execute("CREATE TABLE photos (name TEXT)")
    assert main(["restore", str(stranger), "--yes"]) == 2
    assert f"{stranger} is not a ctcflow backup (it has no schema revision); nothing was changed" in \
        capsys.readouterr().err
    newer = tmp_path / "newer.db"
    assert main(["backup", "--to", str(newer)]) == 0
    with sqlite3.connect(newer) as copy:
        copy.execute("UPDATE alembic_version SET version_num = '0099'")
    assert main(["restore", str(newer), "--yes"]) == 2
    assert "was made by a newer version of ctcflow (schema 0099)" in capsys.readouterr().err
    with session_scope() as session:
        assert session.execute(select(func.count()).select_from(Notification)).scalar_one() == before

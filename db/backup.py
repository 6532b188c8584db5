"""A tenant's database copied while it is in use, and put back.

SQLite: the online backup API (a consistent copy while the morning writes, no lock held for long).
PostgreSQL: ``pg_dump`` of the tenant's own schema in its custom format, restored by
``pg_restore`` in one transaction — the other tenants of the database are not touched. A restore
refuses a file that is not a ctcflow backup or was made by a newer version, and brings an older
one up to this version's schema (its data carried over by the migrations)."""

from __future__ import annotations

import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError
from db.engine import current_revision, engine_for, get_engine, shipped_revisions, sqlite_file, upgrade
from db.pgtools import pg_program


@dataclass(frozen=True)
class Copy:
    path: Path
    size: int
    revision: str | None  # the schema revision the copy is at


def backup(settings: Settings, target: Path) -> Copy:
    """The tenant's database, as it is now, written to ``target`` (its folder made if needed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with get_engine(settings).connect() as connection:
        revision = current_revision(connection)
    if revision is None:
        raise CtcError(f"no ctcflow database at {settings.db_url} to back up: run `ctc init` first")
    live = sqlite_file(settings.db_url)
    if live is not None:
        source = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        _run([_tool("pg_dump"), "--format=custom", f"--schema={_schema(settings)}", f"--file={target}",
              f"--dbname={_libpq(settings)}"], "pg_dump")
    return Copy(target, target.stat().st_size, revision)


def restore(settings: Settings, source: Path) -> Copy:
    """The tenant's database replaced by the copy at ``source``, then brought to this version's
    schema. Whatever the database held is gone afterwards: stop the web and the workers first."""
    if not source.is_file():
        raise CtcError(f"{source}: no such file")
    live = sqlite_file(settings.db_url)
    if live is not None:
        revision = _sqlite_revision(source)
        _known(revision, source)
        engine_for(settings.db_url).dispose()
        live.parent.mkdir(parents=True, exist_ok=True)
        copy, database = sqlite3.connect(source), sqlite3.connect(live)
        try:
            copy.backup(database)
        finally:
            database.close()
            copy.close()
    else:
        engine_for(settings.db_url).dispose()
        schema = _schema(settings)
        listed = _run([_tool("pg_restore"), "--list", str(source)], "pg_restore")
        if f" SCHEMA - {schema} " not in listed and f"TABLE {schema} alembic_version" not in listed:
            raise CtcError(f"{source} is not a backup of this tenant's schema {schema} (ctc backup makes one)")
        aside = f"{schema}_before_restore"
        with get_engine(settings).begin() as connection:  # what the database held is kept aside until the copy is in
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE'))
            held = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
            if held:
                connection.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"'))
        try:
            _run([_tool("pg_restore"), "--single-transaction", "--no-owner", f"--dbname={_libpq(settings)}",
                  str(source)], "pg_restore")
            with get_engine(settings).connect() as connection:
                revision = current_revision(connection)
            _known(revision, source)
        except CtcError:
            engine_for(settings.db_url).dispose()
            with get_engine(settings).begin() as connection:  # put back what was there: nothing changed
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                if held:
                    connection.execute(text(f'ALTER SCHEMA "{aside}" RENAME TO "{schema}"'))
            raise
        with get_engine(settings).begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{aside}" CASCADE'))
    upgrade(settings)
    return Copy(source, source.stat().st_size, revision)


def _known(revision: str | None, source: Path) -> None:
    if revision is None:
        raise CtcError(f"{source} is not a ctcflow backup (it has no schema revision); nothing was changed")
    if revision not in shipped_revisions():
        raise CtcError(f"{source} was made by a newer version of ctcflow (schema {revision}): restore it with "
                       "that version")


def _sqlite_revision(source: Path) -> str | None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as copy:
            row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:  # not a database, or one without ctcflow's schema
        return None
    return str(row[0]) if row else None


def _schema(settings: Settings) -> str:
    return settings.db_schema or "public"


def _libpq(settings: Settings) -> str:
    """The connection as libpq's tools take it (no SQLAlchemy driver, no search_path option)."""
    url = make_url(settings.database_url or settings.db_url)
    return url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)


def _tool(name: str) -> str:
    """PostgreSQL's own tool, of the newest version installed (a dump is read by its version or a later one)."""
    found = pg_program(name)
    if found is None:
        raise CtcError(f"{name} is needed to back up and restore PostgreSQL: install PostgreSQL's client tools "
                       "(Debian: postgresql-client)")
    return found


def _run(command: list[str], tool: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        said = " ".join((done.stderr or done.stdout).split())[:500]
        raise CtcError(f"{tool} failed: {said}")
    return done.stdout

"""Engine and sessions from settings; schema upgrades through Alembic."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, CursorResult, Engine, Insert, Result, Table, create_engine, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, SQLModel

from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import CtcError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
DOWN_REVISION = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)

if TYPE_CHECKING:
    from alembic.config import Config


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is crash-safe for the application (a power cut may drop only the
    # last commits, never corrupt); FULL would fsync every one-row delivery record.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None: another database, or SQLite in memory)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        if (path := sqlite_file(url)) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


T = TypeVar("T")


def through_blips(write: Callable[[], T], patience: float, first_wait: float = 0.25) -> T:
    """``write`` (one transaction), tried again after a lost connection or an unreachable database
    — waiting twice as long each time, for at most ``patience`` seconds — then the error. For a
    write whose loss costs more than waiting (what a mail server has already accepted)."""
    deadline = time.monotonic() + patience
    wait = first_wait
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() + wait > deadline or not _connection_lost(exc):
                raise
            time.sleep(wait)
            wait = min(wait * 2, 5.0)


def _connection_lost(exc: DBAPIError) -> bool:
    """The database went away or could not be reached (not a statement that is wrong, nor a lock:
    SQLite's busy timeout already waited)."""
    if exc.connection_invalidated:
        return True
    words = str(exc.orig).lower()
    return any(sign in words for sign in ("connection", "server closed", "terminating", "could not connect",
                                          "shutting down", "unable to open database", "disk i/o"))


def get_engine(settings: Settings | None = None) -> Engine:
    return engine_for((settings or get_settings()).db_url)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(settings: Settings | None = None) -> None:
    """Bring the schema to the newest revision; recorded data is carried over by migrations."""
    from alembic import command

    settings = settings or get_settings()
    url = settings.db_url
    config = alembic_config(url)
    with get_engine(settings).begin() as connection:
        if settings.db_schema is not None and connection.dialect.name == "postgresql":
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{settings.db_schema}"'))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@lru_cache(maxsize=1)
def _migrations() -> tuple[frozenset[str], frozenset[str]]:
    """Every revision the shipped migrations define, and those another builds on — read from the
    scripts' ``revision``/``down_revision`` lines (alembic itself, a third of a second to import,
    is loaded only to migrate)."""
    revisions: set[str] = set()
    built_on: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        text = script.read_text(encoding="utf-8")
        revisions.update(REVISION.findall(text))
        built_on.update(DOWN_REVISION.findall(text))
    return frozenset(revisions), frozenset(built_on)


def shipped_revisions() -> list[str]:
    """Every schema revision this code knows, oldest first."""
    return sorted(_migrations()[0])


def head_revision() -> str | None:
    """The newest migration shipped with this code: the revision no other one builds on (a test
    holds this to alembic's own answer)."""
    revisions, built_on = _migrations()
    heads = sorted(revisions - built_on)
    return heads[0] if len(heads) == 1 else None


def require_current_schema(settings: Settings | None = None) -> None:
    url = (settings or get_settings()).db_url
    head = head_revision()
    with get_engine(settings).connect() as connection:
        current = current_revision(connection)
    if current is None:
        raise CtcError(f"no ctcflow database at {url}: run `ctc init` first")
    if current != head:
        raise CtcError(f"the database schema is at {current}, this version needs {head}: run `ctc init` to upgrade")


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None: no ctcflow schema), as alembic records it."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any error."""
    with Session(get_engine(settings), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_ignoring_duplicates(session: Session, table: Any, index_elements: list[str] | None = None) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING in the session's dialect: the database, not the caller,
    decides what is already there (a rerun or a concurrent writer adds nothing twice)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=index_elements)
    raise NotImplementedError(f"ctcflow needs SQLite or PostgreSQL, not {dialect}")


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy table behind a SQLModel class (SQLModel does not type ``__table__``)."""
    table: Table = getattr(model, "__table__")  # noqa: B009
    return table


def rows_affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE touched (a CursorResult's rowcount)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)

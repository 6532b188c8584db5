"""Uploaded documents, kept in the database so every host — the web, any worker — has the same
ones (an object store could stand behind these four functions; the database is the default and
needs nothing more to run). Who may download a stored file: those who may see an area whose
records name it — a milestone's evidence, a mandated theme's entry, or the history (which keeps
evidence after an undo). A hash alone opens nothing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, delete, exists, or_, select
from sqlmodel import col

from ctcflow.core.config import Settings
from ctcflow.core.evidence import file_marker
from db.engine import insert_ignoring_duplicates, rows_affected, session_scope, table_of
from db.models import Event, MandateEntry, MilestoneInstance, StoredFile


def store(settings: Settings, content: bytes) -> tuple[str, bool]:
    """Keep the bytes under their SHA-256; (sha, whether this call stored them — False when the
    same document was there already)."""
    sha = hashlib.sha256(content).hexdigest()
    with session_scope(settings) as session:
        added = session.execute(insert_ignoring_duplicates(session, table_of(StoredFile), ["sha256"]).values(
            sha256=sha, size=len(content), content=content, stored_at=datetime.now(tz=UTC)))
        return sha, rows_affected(added) > 0


def read(settings: Settings, sha: str) -> bytes | None:
    with session_scope(settings) as session:
        found = session.execute(select(col(StoredFile.content)).where(col(StoredFile.sha256) == sha)).scalar()
        return bytes(found) if found is not None else None


def is_stored(settings: Settings, sha: str) -> bool:
    with session_scope(settings) as session:
        return session.execute(select(col(StoredFile.sha256)).where(col(StoredFile.sha256) == sha)).first() is not None


def _named(sha: str, area_id: str | None = None) -> ColumnElement[bool]:
    """Whether a record names the file — a milestone's evidence, a theme's entry, the history —
    in ``area_id`` when given."""
    pattern = f"%{file_marker(sha)}%"
    places = ((MilestoneInstance.area_id, MilestoneInstance.evidence), (MandateEntry.area_id, MandateEntry.evidence),
              (Event.area_id, Event.note))
    return or_(*(exists().where(col(text).like(pattern), *([col(area) == area_id] if area_id else []))
                 for area, text in places))


def forget_unnamed(settings: Settings, sha: str) -> None:
    """Remove a stored file no record names (a change that was refused after its upload)."""
    with session_scope(settings) as session:
        session.execute(delete(StoredFile).where(col(StoredFile.sha256) == sha, ~_named(sha)))


STAGED_FOR = timedelta(days=1)  # a refused form's document waits this long for the form's next try
LOOKED_BACK = timedelta(days=7)  # a week of mornings (weekends, holidays, one missed) looks at each upload


def forget_abandoned(settings: Settings, now: datetime | None = None) -> int:
    """Documents staged for a refused form that was never sent again (no record names them
    after a day): removed. Returns how many."""
    before = (now or datetime.now(tz=UTC)) - STAGED_FOR
    with session_scope(settings) as session:
        # the last week's uploads only: older ones were looked at on the mornings before, so the
        # morning's work is a week of uploads, however many documents the years have kept
        stale = [sha for (sha,) in session.execute(select(col(StoredFile.sha256)).where(
            col(StoredFile.stored_at) < before, col(StoredFile.stored_at) >= before - LOOKED_BACK))]
        gone = 0
        for sha in stale:
            gone += rows_affected(session.execute(delete(StoredFile).where(col(StoredFile.sha256) == sha,
                                                                           ~_named(sha))))
        return gone


def adopt_folder(settings: Settings, folder: Path) -> int:
    """Files an earlier version kept in one host's folder (``<data dir>/evidence/<sha>``), moved
    into the database; each checked against its name before it is taken. Returns how many."""
    if not folder.is_dir():
        return 0
    moved = 0
    for path in folder.iterdir():
        content = path.read_bytes() if path.is_file() and len(path.name) == 64 else None
        if content is not None and hashlib.sha256(content).hexdigest() == path.name:
            store(settings, content)
            path.unlink()
            moved += 1
    return moved


def named_in_area(settings: Settings, area_id: str, sha: str) -> bool:
    with session_scope(settings) as session:
        return bool(session.execute(select(_named(sha, area_id))).scalar())

"""`ctc backup` and `ctc restore`: where a tenant's copies go by default, and what is said of them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ctcflow.core import calendar
from ctcflow.core.config import get_settings
from db.backup import Copy, backup, restore
from db.engine import sqlite_file


def default_target(now: datetime | None = None) -> Path:
    """``<data dir>/backups/<tenant>-<Stockholm time>.db`` (``.dump`` for PostgreSQL's custom format)."""
    settings = get_settings()
    stamp = (now or datetime.now(calendar.STOCKHOLM)).astimezone(calendar.STOCKHOLM).strftime("%Y%m%d-%H%M%S")
    suffix = "db" if sqlite_file(settings.db_url) is not None else "dump"
    return settings.data_dir / "backups" / f"{settings.tenant_id}-{stamp}.{suffix}"


def back_up(target: Path | None = None) -> Copy:
    return backup(get_settings(), target or default_target())


def put_back(source: Path) -> Copy:
    return restore(get_settings(), source)

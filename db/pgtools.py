"""Where PostgreSQL's own programs are: the backup's pg_dump and pg_restore, the tests' initdb
and pg_ctl — any installed version from the oldest this supports, the newest first."""

from __future__ import annotations

import glob
import re
import shutil

OLDEST_MAJOR = 15  # what the schema and the tests are known to work on


def major_of(path: str) -> int:
    found = re.search(r"/postgresql/(\d+)/", path)
    return int(found.group(1)) if found else 0


def pg_program(name: str) -> str | None:
    """The newest installed version's ``name`` (Debian keeps each major under
    /usr/lib/postgresql/N/bin), else the one on the PATH; None when there is none."""
    installed = [p for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}") if major_of(p) >= OLDEST_MAJOR]
    return max(installed, key=major_of, default=None) or shutil.which(name)

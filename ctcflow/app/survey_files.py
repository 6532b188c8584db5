"""A survey export handed to the survey-wave flow through the database, so the worker that runs
the import need not be the host the file was on: ``ctc survey store FILE`` keeps it and prints
a reference (``fil:<sha256>:<name>``) to start the flow with; the flow reads it back and, once
the wave is imported, forgets the pupil-level file — the database keeps only what the import
keeps."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ctcflow.app import evidence
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError
from ctcflow.core.evidence import FILE_PREFIX, file_reference, pieces


def keep_export(path: Path) -> str:
    """Store the export's bytes; the reference to start the survey-wave flow with."""
    if not path.is_file():
        raise CtcError(f"{path}: no such file — give the survey export (CSV or XLSX) to store")
    sha, _ = evidence.store(get_settings(), path.read_bytes())
    return file_reference(sha, path.name)


@contextmanager
def export_file(file: str) -> Iterator[Path]:
    """The export as a file to read: a stored one copied to a private temporary folder (under
    its own name, whose suffix says CSV or XLSX), or a path as given."""
    if not file.startswith(FILE_PREFIX):
        yield Path(file)
        return
    [(name, sha)] = pieces(file)
    content = evidence.read(get_settings(), sha or "")
    if content is None:
        raise CtcError(f"the survey export {name} is not stored (any more): store it again with ctc survey store")
    with tempfile.TemporaryDirectory(prefix="ctc-survey-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(content)
        yield path


def forget_export(file: str) -> None:
    """The stored export removed once its wave is in (a path on disk is the owner's to keep)."""
    if file.startswith(FILE_PREFIX):
        [(_, sha)] = pieces(file)
        evidence.forget_unnamed(get_settings(), sha or "")

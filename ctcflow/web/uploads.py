"""What comes with a form: evidence — a link, an uploaded file kept once (in the database, for
every host) under its SHA-256 —
written as one text (pieces joined by SEPARATOR, which the pages split again to show them), and a
table to import (CSV or Excel), held only while it is read. Every upload is bounded as it is read."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from ctcflow.app.evidence import forget_unnamed, store
from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.core.evidence import SEPARATOR, file_reference
from ctcflow.core.tables import SeveralSheets
from ctcflow.web.errors import PageError

MAX_UPLOAD = 25 * 2**20


def bounded_chunks(document: UploadFile) -> Iterator[bytes]:
    """The upload a megabyte at a time; past MAX_UPLOAD it is refused before more is read."""
    size = 0
    while chunk := document.file.read(1 << 20):
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise PageError(413, "too_big")
        yield chunk


LINK = re.compile(r"^https?://[^\s<>\"]{1,2000}$")


@contextmanager
def staged_evidence(settings: Settings, link: str, document: UploadFile | None) -> Iterator[str | None]:
    """The evidence a form brings — its link and its document — for the caller to record. The
    document is stored (under its SHA-256, the same document twice stored once) before the
    caller's block and taken away again if the block fails and no record names it: nothing is
    kept for a change that did not happen. A link must be a web address (so it cannot pose as a
    stored file)."""
    link = link.strip()
    if link and not LINK.match(link):
        raise Invalid("link", "not_a_link", f"{link[:80]}: not a web address (https://…)")
    if document is None or not document.filename:
        yield link or None
        return
    content = b"".join(bounded_chunks(document))
    sha, added = store(settings, content)
    name = re.sub(r"[\x00-\x1f]", "_", Path(document.filename).name.replace(SEPARATOR, " "))[:200] or "underlag"
    try:
        yield SEPARATOR.join(p for p in (link, file_reference(sha, name)) if p)
    except BaseException:
        if added:
            forget_unnamed(settings, sha)
        raise


TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")


@contextmanager
def received_table(document: UploadFile | None) -> Iterator[Path]:
    """A CSV or Excel upload, under its own name (what the import reports and records) in a
    folder of its own that is removed afterwards: the file is read, never kept. A file that
    cannot be read at all is refused without naming that folder."""
    name = Path(document.filename or "").name if document is not None else ""
    if document is None or Path(name).suffix.lower() not in TABLE_SUFFIXES:
        raise Invalid("document", "file_kind", f"{name or 'no file'}: not a CSV or Excel file")
    folder = Path(tempfile.mkdtemp(prefix="ctc-upload-"))
    try:
        path = folder / name
        with path.open("wb") as out:
            for chunk in bounded_chunks(document):
                out.write(chunk)
        yield path
    except (InputFileError, Invalid, SeveralSheets):
        raise
    except CtcError as exc:
        if str(folder) not in str(exc):
            raise  # an answer about the file's content (what it would replace), its kind kept
        raise CtcError(str(exc).replace(f"{folder}/", "")) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)

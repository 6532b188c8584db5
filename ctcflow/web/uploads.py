"""What comes with a form: evidence — a link, an uploaded file kept once under its SHA-256 —
written as one text (pieces joined by SEPARATOR, which the pages split again to show them), and a
table to import (CSV or Excel), held only while it is read. Every upload is bounded as it is read."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.web.errors import PageError

MAX_UPLOAD = 25 * 2**20
SEPARATOR = " · "
KEPT = re.compile(r"^fil:[0-9a-f]{64}:[^\n]{1,200}$")  # a file stored with an earlier, refused submission


def bounded_chunks(document: UploadFile) -> Iterator[bytes]:
    """The upload a megabyte at a time; past MAX_UPLOAD it is refused before more is read."""
    size = 0
    while chunk := document.file.read(1 << 20):
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise PageError(413, "too_big")
        yield chunk


def store_upload(folder: Path, document: UploadFile) -> str:
    """Keep the file under its SHA-256 (the same document twice is stored once); the evidence
    names it by hash and file name."""
    digest = hashlib.sha256()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
        try:
            for chunk in bounded_chunks(document):
                digest.update(chunk)
                out.write(chunk)
        except PageError:
            out.close()
            os.unlink(out.name)
            raise
    sha = digest.hexdigest()
    os.replace(out.name, folder / sha)
    name = Path(document.filename or "underlag").name
    return f"fil:{sha}:{name}"


def evidence_from(folder: Path, link: str, document: UploadFile | None, kept: str = "") -> tuple[str | None, str]:
    """The evidence a form brings — its link and its document, stored now or ``kept`` from a
    refused submission before — and the stored file's reference, to keep if this one is refused."""
    kept = kept if KEPT.match(kept) else ""
    if document is not None and document.filename:
        kept = store_upload(folder, document)
    pieces = [piece for piece in (link.strip(), kept) if piece]
    return SEPARATOR.join(pieces) or None, kept


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
    except (InputFileError, Invalid):
        raise
    except CtcError as exc:
        raise CtcError(str(exc).replace(f"{folder}/", "")) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)

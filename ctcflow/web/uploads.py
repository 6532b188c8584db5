"""What comes with a form: evidence — a link, an uploaded file kept once (in the database, for
every host) under its SHA-256 —
written as one text (pieces joined by SEPARATOR, which the pages split again to show them), and a
table to import (CSV or Excel), held only while it is read. Every upload is bounded as it is read."""

from __future__ import annotations

import hashlib
import hmac
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import UploadFile

from ctcflow.app.evidence import forget_unnamed, is_stored, store
from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.core.evidence import FILE_PREFIX, SEPARATOR, file_reference
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


@dataclass
class Staged:
    """What a form brought as evidence: the text to record, and the stored document's reference
    (``fil:<sha>:<name>``) — kept for the form's next try when the form is refused."""

    evidence: str | None = None
    document: str | None = None

    @property
    def document_name(self) -> str | None:
        return self.document.split(":", 2)[2] if self.document else None


def kept_token(key: bytes, session_jti: str, area_id: str, reference: str) -> str:
    """A refused form's chosen document, handed back to the page that shows the form again:
    signed for this session and area, so a form cannot name another area's stored file."""
    mac = hmac.new(key, f"kept:{session_jti}:{area_id}:{reference}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{reference}|{mac}"


def kept_reference(key: bytes, session_jti: str, area_id: str, token: str) -> str | None:
    """The document a form kept from its refused try, if the token is this session's for this area."""
    reference = token.rpartition("|")[0]
    if reference.startswith(FILE_PREFIX) and hmac.compare_digest(kept_token(key, session_jti, area_id, reference),
                                                                  token):
        return reference
    return None


def kept_of_form(key: bytes, session_jti: str, area_id: str, kept: str, drop: str) -> str | None:
    """The document the form kept from its refused try — unless the person removed it."""
    return kept_reference(key, session_jti, area_id, kept) if kept and not drop else None


def kept_for_page(key: bytes, session_jti: str, area_id: str, staged: Staged | None) -> dict[str, str]:
    """What the refused form's page needs to offer the chosen document again (its name shown)."""
    if staged is None or staged.document is None:
        return {}
    return {"kept": kept_token(key, session_jti, area_id, staged.document), "kept_name": staged.document_name or ""}


@contextmanager
def staged_evidence(settings: Settings, link: str, document: UploadFile | None, kept: str | None = None,
                    keep_on: Callable[[BaseException], bool] = lambda _: False,
                    into: Staged | None = None) -> Iterator[Staged]:
    """The evidence a form brings — its link and its document (a new one, or the one ``kept``
    from the form's refused try) — for the caller to record. A new document is stored (under its
    SHA-256, the same document twice stored once) before the caller's block. When the block is
    refused and ``keep_on`` says the form is shown again, the document stays staged for the
    next try — a day, then the morning forgets it unless a record names it; on any other failure
    it is taken away at once: nothing is kept for a change that did not happen. A link must be a
    web address (so it cannot pose as a stored file). ``into``: the caller's Staged, filled as the
    document is taken — so a refusal of the link still finds the document to keep."""
    staged = into if into is not None else Staged()
    added, sha = False, None
    if document is not None and document.filename:
        content = b"".join(bounded_chunks(document))
        sha, added = store(settings, content)
        name = re.sub(r"[\x00-\x1f]", "_", Path(document.filename).name.replace(SEPARATOR, " "))[:200] or "underlag"
        staged.document = file_reference(sha, name)
    elif kept:
        if not is_stored(settings, kept.removeprefix(FILE_PREFIX).split(":", 1)[0]):
            raise Invalid("document", "kept_gone", "the document chosen before is no longer kept; choose it again")
        staged.document = kept
    link = link.strip()
    if link and not LINK.match(link):
        refusal = Invalid("link", "not_a_link", f"{link[:80]}: not a web address (https://…)")
        if added and sha and not keep_on(refusal):
            forget_unnamed(settings, sha)
        raise refusal
    staged.evidence = SEPARATOR.join(p for p in (link, staged.document) if p) or None
    try:
        yield staged
    except BaseException as failure:
        if added and sha and not keep_on(failure):
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

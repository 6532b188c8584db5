"""A long report's chunks printed by other workers: the chunk's HTML is kept in the database
(a stored file), whichever worker takes it prints it and keeps the PDF there too, and the run
joining the report reads the PDFs back in order and removes all of it. Nothing passes through
one host's disk, and Prefect carries only the files' hashes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlmodel import col

from ctcflow.app import evidence
from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError
from ctcflow.report.pdf import print_here
from db.engine import insert_ignoring_duplicates, session_scope, table_of
from db.models import PrintedChunk


def keep_chunks(documents: list[str]) -> list[str]:
    """Each chunk's HTML stored; their hashes, in order — what a worker is handed."""
    settings = get_settings()
    return [evidence.store(settings, document.encode("utf-8"))[0] for document in documents]


def print_kept(html_shas: list[str]) -> int:
    """A worker's share: each kept chunk printed (over this host's cores) and its PDF kept."""
    settings = get_settings()
    documents = []
    for sha in html_shas:
        html = evidence.read(settings, sha)
        if html is None:
            raise CtcError(f"a chunk of the report to print is missing from the database ({sha[:12]}…)")
        documents.append(html.decode("utf-8"))
    for sha, pdf in zip(html_shas, print_here(documents), strict=True):
        pdf_sha, _ = evidence.store(settings, pdf)
        with session_scope(settings) as session:  # printed twice (a retry): the first stays
            session.execute(insert_ignoring_duplicates(session, table_of(PrintedChunk), ["html_sha256"]).values(
                html_sha256=sha, pdf_sha256=pdf_sha, printed_at=datetime.now(tz=UTC)))
    return len(html_shas)


def take_printed(html_shas: list[str]) -> list[bytes]:
    """The kept chunks' PDFs, in order; the chunks, the PDFs and their records removed."""
    settings = get_settings()
    with session_scope(settings) as session:
        printed = dict(session.execute(select(col(PrintedChunk.html_sha256), col(PrintedChunk.pdf_sha256)).where(
            col(PrintedChunk.html_sha256).in_(html_shas))).tuples().all())
    missing = [sha for sha in html_shas if sha not in printed]
    if missing:
        raise CtcError(f"{len(missing)} of {len(html_shas)} chunks of the report were not printed")
    pdfs = [evidence.read(settings, printed[sha]) for sha in html_shas]
    with session_scope(settings) as session:
        session.execute(delete(PrintedChunk).where(col(PrintedChunk.html_sha256).in_(html_shas)))
    for sha in [*html_shas, *printed.values()]:
        evidence.forget_unnamed(settings, sha)
    if any(pdf is None for pdf in pdfs):
        raise CtcError("a printed chunk of the report is missing from the database")
    return [pdf for pdf in pdfs if pdf is not None]

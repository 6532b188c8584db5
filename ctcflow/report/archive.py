"""Reading the report archive: what was rendered, for which period and day, and when it went
to whom. (Writing is ``service.archive``, next to the rendering it stores.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.report.delivered import Sending, latest, sendings
from db.models import ReportArchive


@dataclass(frozen=True)
class Archived:
    id: int
    report_id: str
    scope: str
    occasion: str | None
    period_start: date
    period_end: date
    as_of: date
    lang: str
    format: str
    filename: str
    sha256: str
    size: int
    sent_on: date | None
    sent_to: str | None


def archived(session: Session, report_id: str | None = None) -> list[Archived]:
    """Every archived file without its bytes, newest as-of day first."""
    ra = ReportArchive
    query = (select(col(ra.id), col(ra.report_id), col(ra.scope), col(ra.occasion), col(ra.period_start),
                    col(ra.period_end), col(ra.as_of), col(ra.lang),
                    col(ra.format), col(ra.filename), col(ra.sha256), col(ra.size), col(ra.sent_on), col(ra.sent_to))
             .order_by(col(ra.as_of).desc(), col(ra.report_id), col(ra.scope), col(ra.id)))
    if report_id:
        query = query.where(col(ra.report_id) == report_id)
    return [Archived(*row) for row in session.execute(query)]


def sent_on(session: Session, as_of: date) -> dict[str, date]:
    """occasion key → the first day its report went out to its recipients (by ``as_of``); an
    area's own report for the same occasion does not count."""
    rows = session.execute(select(col(ReportArchive.report_id), col(ReportArchive.occasion),
                                  func.min(col(ReportArchive.sent_on)))
                           .where(col(ReportArchive.occasion).is_not(None), col(ReportArchive.sent_on) <= as_of,
                                  col(ReportArchive.scope) == "city")
                           .group_by(col(ReportArchive.report_id), col(ReportArchive.occasion)))
    return {f"{report_id}/{year}": day for report_id, year, day in rows}


def sent_files(session: Session, as_of: date) -> dict[str, list[int]]:
    """occasion key → the ids of the city report's files handed over for sending (by ``as_of``):
    where the outbox's copies of it are found."""
    rows = session.execute(select(col(ReportArchive.report_id), col(ReportArchive.occasion), col(ReportArchive.id))
                           .where(col(ReportArchive.occasion).is_not(None), col(ReportArchive.sent_on) <= as_of,
                                  col(ReportArchive.scope) == "city"))
    found: dict[str, list[int]] = {}
    for report_id, year, archive_id in rows:
        found.setdefault(f"{report_id}/{year}", []).append(int(archive_id))
    return found


def occasion_sendings(session: Session, as_of: date) -> dict[str, Sending]:
    """occasion key → where the newest sending of the city's report stands (two queries for all)."""
    files = sent_files(session, as_of)
    by_file = sendings(session, [i for ids in files.values() for i in ids], as_of)
    return {key: found for key, ids in files.items() if (found := latest(by_file, ids)) is not None}


@dataclass(frozen=True)
class ArchivedReport:
    """One rendering of a report as people think of it — the KS report for 2023–2024 as of a
    day, in one language — with its files (pdf, html, md) side by side."""

    report_id: str
    scope: str
    period_start: date
    period_end: date
    as_of: date
    lang: str
    files: tuple[tuple[str, int], ...]  # (format, archive id)
    sent_on: date | None  # handed over for sending
    sent_to: tuple[str, ...]
    sending: Sending | None = None  # where its copies stand with the mail servers


FORMAT_ORDER = {"pdf": 0, "html": 1, "md": 2}


def listed(session: Session, as_of: date, *, drafts: bool, scopes: Callable[[str], bool]) -> list[ArchivedReport]:
    """The archive as a page lists it: one row per report, with where its sending stands, for
    the scopes the reader may see — and only what was sent, unless the reader is the one who
    sends (a report rendered and not sent is the samordnare's draft, not the board's paper)."""
    rows = [r for r in archived(session) if scopes(r.scope) and (drafts or r.sent_on is not None)]
    return grouped(rows, sendings(session, [r.id for r in rows if r.sent_on is not None], as_of))


def grouped(rows: list[Archived], by_file: dict[int, Sending] | None = None) -> list[ArchivedReport]:
    """The archive's files gathered into one row per report, newest first."""
    groups: dict[tuple[str, str, date, date, date, str], list[Archived]] = {}
    for row in rows:
        groups.setdefault((row.report_id, row.scope, row.period_start, row.period_end, row.as_of, row.lang),
                          []).append(row)
    result = []
    for (report_id, scope, start, end, as_of, lang), files in groups.items():
        newest = {f.format: f for f in sorted(files, key=lambda f: f.id)}  # a re-rendering replaces in view
        sent = [f for f in files if f.sent_on]
        result.append(ArchivedReport(
            report_id, scope, start, end, as_of, lang,
            tuple(sorted(((fmt, f.id) for fmt, f in newest.items()), key=lambda p: FORMAT_ORDER.get(p[0], 9))),
            min((f.sent_on for f in sent if f.sent_on), default=None),
            tuple(sorted({p for f in sent for p in (f.sent_to or "").split(",") if p})),
            latest(by_file or {}, [f.id for f in files])))
    return result

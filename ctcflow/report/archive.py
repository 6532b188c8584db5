"""Reading the report archive: what was rendered, for which period and day, and when it went
to whom. (Writing is ``service.archive``, next to the rendering it stores.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

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
    query = (select(ra.id, ra.report_id, ra.scope, ra.occasion, ra.period_start, ra.period_end, ra.as_of, ra.lang,
                    ra.format, ra.filename, ra.sha256, ra.size, ra.sent_on, ra.sent_to)
             .order_by(ra.as_of.desc(), ra.report_id, ra.scope, ra.id))
    if report_id:
        query = query.where(ra.report_id == report_id)
    return [Archived(*row) for row in session.execute(query)]


def sent_on(session: Session, as_of: date) -> dict[str, date]:
    """occasion key → the first day its report went out (by ``as_of``)."""
    rows = session.execute(select(ReportArchive.report_id, ReportArchive.occasion, func.min(ReportArchive.sent_on))
                           .where(ReportArchive.occasion.is_not(None), ReportArchive.sent_on <= as_of)
                           .group_by(ReportArchive.report_id, ReportArchive.occasion))
    return {f"{report_id}/{year}": day for report_id, year, day in rows}

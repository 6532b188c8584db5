"""Use cases of the reports: render, archive and send; the calendar; archived files."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ctcflow.access.permissions import Action, require
from ctcflow.app.context import ready
from ctcflow.app.jobs import deliver
from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.delivery.sender import DeliveryReport
from ctcflow.report.archive import archived, sent_on
from ctcflow.report.model import ReportContent
from ctcflow.report.notices import gap_lines
from ctcflow.report.render import FORMATS, Rendering
from ctcflow.report.schedule import ReportOccasion, occasions
from ctcflow.report.service import produce, recipients, request_for
from ctcflow.report.service import send as send_report
from db.engine import session_scope
from db.models import (
    Area,
    ReportArchive,
)


@dataclass
class MadeReport:
    content: ReportContent
    files: list[Rendering]
    sent_to: list[str]  # person ids, when it was sent
    delivery: DeliveryReport | None = None  # what went out at once (nothing on a weekend or holiday)


def report_make(report_id: str, period: str | None, *, as_of: date, lang: str, area_id: str | None,
                formats: tuple[str, ...], send: bool, by: str, case_number: str | None = None) -> MadeReport:
    """Render (and archive) a report; with ``send``, put it in the outbox for its recipients in
    the same transaction and deliver it as the calendar allows."""
    defs = ready()
    settings = get_settings()
    request = replace(request_for(defs, report_id, period, as_of, lang, area_id), case_number=case_number)
    with session_scope() as session:
        if session.get(Area, area_id or "") is None and area_id is not None:
            raise CtcError(f"area '{area_id}' is not in the database; run `ctc sync`")
        wanted = tuple(f for f in FORMATS if f in formats or (send and f == "pdf"))
        content, files = produce(session, defs, settings, request, by=by, formats=wanted)
        sent_to = send_report(session, defs, settings, request, files, by=by) if send else []
    made = MadeReport(content, [f for f, _ in files if f.format in formats], sent_to)
    if sent_to:
        made.delivery = deliver(as_of)
    return made


def report_archive(report_id: str | None = None) -> list[Any]:
    ready()
    with session_scope() as session:
        return archived(session, report_id)


def report_file(archive_id: int) -> tuple[str, bytes]:
    ready()
    with session_scope() as session:
        row = session.get(ReportArchive, archive_id)
        if row is None:
            raise CtcError(f"no archived report with id {archive_id}; see `ctc report list`")
        return row.filename, bytes(row.content)


def report_calendar(as_of: date, defs: Definitions | None = None,
                    settings: Settings | None = None) -> list[tuple[Any, Any]]:
    """Every report occasion up to a year ahead: (occasion, the day it was sent or None). The
    web passes the definitions it holds; the command line has them loaded."""
    defs = defs or ready()
    with session_scope(settings) as session:
        sent = sent_on(session, as_of)
        return [(o, sent.get(o.key)) for o in occasions(defs, date(as_of.year + 1, 12, 31))]


@dataclass
class Preview:
    """A report rendered for reading before it is sent: the HTML file's archive id, what it
    still lacks (in words), whether it went out already, and who it would go to."""

    occasion: ReportOccasion
    html_id: int
    gaps: list[str]
    sent_on: date | None
    recipients: list[str]  # person ids


def report_preview(defs: Definitions, settings: Settings, report_id: str, year: int, *, as_of: date, lang: str,
                   by: str) -> Preview:
    request = request_for(defs, report_id, str(year), as_of, lang, None)
    require(defs, by, Action.SEND_REPORT, as_of, role=request.report.owner)
    with session_scope(settings) as session:
        content, files = produce(session, defs, settings, request, by=by, formats=("html",))
        sent = sent_on(session, as_of).get(f"{report_id}/{year}")
    assert request.occasion is not None
    return Preview(request.occasion, files[0][1], gap_lines(content.gaps, defs, lang), sent,
                   sorted(recipients(defs, request)))


def report_send(defs: Definitions, settings: Settings, report_id: str, year: int, *, as_of: date, lang: str,
                by: str) -> list[str]:
    """Render, archive and send the report for ``year`` now (the PDF attached); returns who it went to."""
    request = request_for(defs, report_id, str(year), as_of, lang, None)
    require(defs, by, Action.SEND_REPORT, as_of, role=request.report.owner)
    with session_scope(settings) as session:
        _, files = produce(session, defs, settings, request, by=by)
        sent_to = send_report(session, defs, settings, request, files, by=by)
    deliver(as_of)
    return sent_to

"""Use cases of the reports: render, archive and send; the calendar; archived files."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session

from ctcflow.access.permissions import Action, require
from ctcflow.app.context import ready
from ctcflow.app.jobs import deliver
from ctcflow.core.config import Settings, get_settings
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import Definitions
from ctcflow.delivery.sender import DeliveryReport
from ctcflow.report.archive import archived, occasion_sendings, sent_on
from ctcflow.report.delivered import Sending, latest, sendings
from ctcflow.report.delivery_words import summary
from ctcflow.report.model import ReportContent
from ctcflow.report.notices import gap_lines
from ctcflow.report.render import FORMATS, Rendering
from ctcflow.report.schedule import ReportOccasion, occasions
from ctcflow.report.service import (
    Request,
    content_for,
    may_send_now,
    period_not_over,
    produce,
    recipients,
    rendered,
    request_for,
)
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
    sent_to: list[str]  # person ids, when it was handed over for sending
    delivery: DeliveryReport | None = None  # what went out at once (nothing on a weekend or holiday)
    sending: Sending | None = None  # where the copies stand after that


def report_make(report_id: str, period: str | None, *, as_of: date, lang: str, area_id: str | None,
                formats: tuple[str, ...], send: bool, by: str, case_number: str | None = None,
                before_period_end: bool = False) -> MadeReport:
    """Render (and archive) a report; with ``send``, put it in the outbox for its recipients in
    the same transaction and deliver it as the calendar allows."""
    defs = ready()
    settings = get_settings()
    request = replace(request_for(defs, report_id, period, as_of, lang, area_id), case_number=case_number)
    if send:
        may_send_now(request, before_period_end)
    with session_scope() as session:
        if session.get(Area, area_id or "") is None and area_id is not None:
            raise CtcError(f"area '{area_id}' is not in the database; run `ctc sync`")
        wanted = tuple(f for f in FORMATS if f in formats or (send and f == "pdf"))
        content, files = produce(session, defs, settings, request, by=by, formats=wanted)
        sent_to = send_report(session, defs, settings, request, files, by=by,
                              before_period_end=before_period_end) if send else []
    made = MadeReport(content, [f for f, _ in files if f.format in formats], sent_to)
    if sent_to:
        made.delivery = deliver(as_of)
        with session_scope() as session:
            made.sending = latest(sendings(session, [i for _, i in files], as_of), [i for _, i in files])
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


@dataclass(frozen=True)
class OccasionState:
    """A report occasion as its owner follows it: handed over for sending (the day), and where
    the newest sending stands with the mail server."""

    occasion: ReportOccasion
    handed_on: date | None
    sending: Sending | None

    def words(self, as_of: date, lang: str) -> str:
        return summary(self.sending, self.handed_on, self.occasion.due, as_of, lang)


def _states(session: Session, found: list[ReportOccasion], as_of: date) -> list[OccasionState]:
    """Each occasion's state, read in two queries for the whole calendar."""
    handed = sent_on(session, as_of)
    sent = occasion_sendings(session, as_of)
    return [OccasionState(o, handed.get(o.key), sent.get(o.key)) for o in found]


def report_calendar(as_of: date, defs: Definitions | None = None,
                    settings: Settings | None = None) -> list[OccasionState]:
    """Every report occasion up to a year ahead, with its state. The web passes the definitions
    it holds; the command line has them loaded."""
    defs = defs or ready()
    with session_scope(settings) as session:
        return _states(session, occasions(defs, date(as_of.year + 1, 12, 31)), as_of)


@dataclass
class Preview:
    """A report rendered for reading before it is sent (kept nowhere): what it still lacks (in
    words), whether its period is over, where its sending stands, and who it would go to."""

    state: OccasionState
    gaps: list[str]
    period_over: bool
    recipients: list[str]  # person ids

    @property
    def occasion(self) -> ReportOccasion:
        return self.state.occasion


def _request(defs: Definitions, report_id: str, year: int, as_of: date, lang: str, by: str) -> Request:
    request = request_for(defs, report_id, str(year), as_of, lang, None)
    require(defs, by, Action.SEND_REPORT, as_of, role=request.report.owner)
    return request


def report_preview(defs: Definitions, settings: Settings, report_id: str, year: int, *, as_of: date, lang: str,
                   by: str) -> Preview:
    request = _request(defs, report_id, year, as_of, lang, by)
    assert request.occasion is not None
    with session_scope(settings) as session:
        content = content_for(session, defs, request)
        [state] = _states(session, [request.occasion], as_of)
    return Preview(state, gap_lines(content.gaps, defs, lang), not period_not_over(request),
                   sorted(recipients(defs, request)))


def report_state(defs: Definitions, settings: Settings, report_id: str, year: int, *, as_of: date,
                 by: str) -> OccasionState:
    """Where the occasion's sending stands — nothing rendered: what a page left open asks for."""
    request = _request(defs, report_id, year, as_of, "sv", by)
    assert request.occasion is not None
    with session_scope(settings) as session:
        [state] = _states(session, [request.occasion], as_of)
    return state


def report_preview_html(defs: Definitions, settings: Settings, report_id: str, year: int, *, as_of: date,
                        lang: str, by: str) -> bytes:
    """The report as the board would read it today, as HTML — rendered for the viewer, not archived."""
    request = _request(defs, report_id, year, as_of, lang, by)
    with session_scope(settings) as session:
        _, [html] = rendered(session, defs, settings, request, formats=("html",))
    return html.content


def report_send(defs: Definitions, settings: Settings, report_id: str, year: int, *, as_of: date, lang: str,
                by: str, before_period_end: bool = False) -> OccasionState:
    """Render, archive and hand the report for ``year`` to the outbox (the PDF attached), try
    to deliver it at once, and say where it stands."""
    request = _request(defs, report_id, year, as_of, lang, by)
    assert request.occasion is not None
    may_send_now(request, before_period_end)
    with session_scope(settings) as session:
        _, files = produce(session, defs, settings, request, by=by)
        send_report(session, defs, settings, request, files, by=by, before_period_end=before_period_end)
    deliver(as_of)
    with session_scope(settings) as session:
        [state] = _states(session, [request.occasion], as_of)
    return state


def failed_copies(settings: Settings, report_id: str, year: int, as_of: date) -> list[int]:
    """The outbox rows of the occasion's newest sending that failed: what "try again" retries."""
    with session_scope(settings) as session:
        sending = occasion_sendings(session, as_of).get(f"{report_id}/{year}")
    return sending.failing() if sending else []

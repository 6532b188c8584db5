"""Producing, archiving and sending reports: what `ctc report` and the ks-report deployment do.

Sending goes through the outbox like every other message — one row per recipient with the PDF
attached, keyed by the occasion — so a send that is repeated, retried or raced goes out once,
and a failed delivery is retried and visible. The occasion counts as sent (the samordnare's
milestone done) from the day it was put in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from ctcflow.access.directory import Directory
from ctcflow.core.config import Settings
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.core.templating import renderer
from ctcflow.definition.loader import Definitions
from ctcflow.definition.organisation import PersonDef
from ctcflow.definition.process import ReportDef
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.delivery import keys
from ctcflow.delivery.kinds import NoticeKind
from ctcflow.engine.eventlog import NewEvent, record
from ctcflow.engine.stalls import stalls
from ctcflow.notices.outbox import Notice, write_new
from ctcflow.report.attention import start_moves
from ctcflow.report.content import gather
from ctcflow.report.delivered import BEFORE_PERIOD_END
from ctcflow.report.escalation_log import escalation_log
from ctcflow.report.model import ReportContent, Scope
from ctcflow.report.render import FORMATS, Rendering, render
from ctcflow.report.schedule import (
    Period,
    ReportOccasion,
    late_before,
    occasion,
    occasions,
    open_occasions,
    report_def,
)
from db.engine import insert_ignoring_duplicates, table_of
from db.models import ReportArchive

AREA_REPORT = "area"


@dataclass(frozen=True)
class Request:
    """Which report: the KS report of an occasion or a period, or one area's report."""

    report: ReportDef
    period: Period
    as_of: date
    lang: str = "sv"
    occasion: ReportOccasion | None = None
    area_id: str | None = None  # an area's report for its team
    case_number: str | None = None  # the diarienummer, when given as the report is prepared

    @property
    def kind(self) -> str:
        return AREA_REPORT if self.area_id else self.report.id

    @property
    def stem(self) -> str:
        label = str(self.occasion.year) if self.occasion else f"{self.period.start}_{self.period.end}"
        name = f"omradesrapport-{self.area_id}" if self.area_id else f"{self.report.id}-rapport"
        return f"{name}-{label}-{self.as_of.isoformat()}-{self.lang}"


def request_for(defs: Definitions, report_id: str, period: str | None, as_of: date, lang: str = "sv",
                area_id: str | None = None) -> Request:
    """``period`` is an occasion's year ("2022") or FROM..TO; an area's report without one
    covers the period of the next report due (what its section will say)."""
    report = report_def(defs, report_id)
    if area_id is not None:
        defs.org.known_area(area_id)
    if period is None:
        if area_id is None:
            raise CtcError("give --period: the year a report is due (e.g. 2022) or FROM..TO")
        found = next((o for o in upcoming(defs, report, as_of)), None)
        if found is None:
            raise CtcError("no report is due after this day; give --period FROM..TO")
        return Request(report, found.period, as_of, lang, found, area_id)
    if ".." in period:
        start_text, _, end_text = period.partition("..")
        try:
            start, end = date.fromisoformat(start_text.strip()), date.fromisoformat(end_text.strip())
        except ValueError:
            raise CtcError(f"period '{period}': write FROM..TO as dates, e.g. 2020-01-01..2021-12-31") from None
        if end < start:
            raise CtcError(f"period '{period}' ends before it starts")
        return Request(report, Period(start, end), as_of, lang, None, area_id)
    if not period.isdigit():
        raise CtcError(f"period '{period}': give the year the report is due (e.g. 2022) or FROM..TO")
    found_occasion = occasion(report, int(period))
    return Request(report, found_occasion.period, as_of, lang, found_occasion, area_id)


def upcoming(defs: Definitions, report: ReportDef, as_of: date) -> list[ReportOccasion]:
    later = date(as_of.year + report.covers_years + 1, 12, 31)
    return [o for o in occasions(defs, later) if o.report.id == report.id and o.due >= as_of]


def content_for(session: Session, defs: Definitions, request: Request) -> ReportContent:
    from ctcflow.survey.evaluation import area_effects  # pandas and statsmodels: only when a report is made

    scope = Scope(request.period, request.as_of, [request.area_id] if request.area_id else None,
                  request.occasion.due if request.occasion else None)
    areas, costs, gaps = gather(session, defs, scope, mandated=request.report.owed_by(),
                                area_input=request.report.area_input)
    title = request.report.title.get(request.lang)
    if request.area_id:
        title = f"{title}: {areas[0].name if areas else request.area_id}"
    late = late_before(session, defs, request.occasion, request.as_of) \
        if request.occasion and not request.area_id else []
    area_ids = [request.area_id] if request.area_id else None
    # a report that follows a missed one also accounts for what reached the board in its period
    since = min([request.period.start, *(r.occasion.period.start for r in late if r.sent_on is None)])
    today = stalls(session, defs, request.as_of)  # once: the paper's stalls and what is still open
    return ReportContent(title, defs.org.municipality, request.occasion, request.period, request.as_of,
                         request.occasion.due if request.occasion else None, areas, costs,
                         sorted(gaps, key=lambda g: (g.area_id is not None, g.area_id or "", g.section, g.year or 0)),
                         late, [s for s in today if area_ids is None or s.area_id in area_ids],
                         escalation_log(session, defs, since, request.as_of, area_ids, today), since,
                         sum(1 for a in defs.org.areas if a.start <= request.as_of
                             and (area_ids is None or a.id in area_ids)),
                         {e.area_id: e for e in area_effects(session, defs.org, load_survey(), request.as_of,
                                                             area_ids)},
                         start_moves(session, request.period, request.as_of, area_ids),
                         request.case_number or (request.report.case_numbers.get(request.occasion.year)
                                                 if request.occasion else None))


def rendered(session: Session, defs: Definitions, settings: Settings, request: Request,
             formats: tuple[str, ...] = FORMATS) -> tuple[ReportContent, list[Rendering]]:
    """The report's content and its files, kept nowhere: what a preview shows."""
    content = content_for(session, defs, request)
    return content, render(content, defs, load_survey(settings),
                           load_programmes(settings), lang=request.lang,
                           templates_dir=settings.templates_dir, kind="area" if request.area_id else "ks",
                           mandated=request.report.owed_by(), stem=request.stem, formats=formats)


def produce(session: Session, defs: Definitions, settings: Settings, request: Request, *, by: str,
            formats: tuple[str, ...] = FORMATS) -> tuple[ReportContent, list[tuple[Rendering, int]]]:
    """Render the report and archive each file; returns the content and (file, archive id)."""
    content, files = rendered(session, defs, settings, request, formats)
    return content, [(f, archive(session, request, f, by)) for f in files]


def period_not_over(request: Request) -> bool:
    """The board's report for a period that has not ended yet: sent only when someone says so
    (the board would otherwise read a year's account written in its first week). An area's own
    report for its team is a state of the work and may go at any time."""
    return request.area_id is None and request.as_of <= request.period.end


def archive(session: Session, request: Request, rendering: Rendering, by: str) -> int:
    """Store the file unless this very rendering (same bytes) is archived already; its id."""
    values: dict[str, Any] = {
        "report_id": request.kind, "scope": request.area_id or "city",
        "occasion": str(request.occasion.year) if request.occasion else None,
        "period_start": request.period.start, "period_end": request.period.end, "as_of": request.as_of,
        "lang": request.lang, "format": rendering.format, "filename": rendering.filename,
        "sha256": rendering.sha256, "size": len(rendering.content), "content": rendering.content,
        "rendered_at": datetime.now(tz=UTC), "rendered_by": by,
    }
    session.execute(insert_ignoring_duplicates(session, table_of(ReportArchive)).values(**values))
    found = session.execute(select(col(ReportArchive.id)).where(
        col(ReportArchive.report_id) == values["report_id"], col(ReportArchive.scope) == values["scope"],
        col(ReportArchive.period_start) == request.period.start, col(ReportArchive.period_end) == request.period.end,
        col(ReportArchive.as_of) == request.as_of, col(ReportArchive.lang) == request.lang,
        col(ReportArchive.format) == rendering.format, col(ReportArchive.sha256) == rendering.sha256)).scalar_one()
    return int(found)


def may_send_now(request: Request, before_period_end: bool) -> None:
    """The board's report goes after its period — before it only when someone says so (checked
    before anything is rendered)."""
    if period_not_over(request) and not before_period_end:
        raise Invalid("before_period_end", "period_not_over",
                      f"the period {request.period.label()} is not over on {request.as_of}; the board's report is "
                      "sent after it (--before-period-end sends it anyway, and records that you did)")


def send(session: Session, defs: Definitions, settings: Settings, request: Request,
         files: list[tuple[Rendering, int]], *, by: str, before_period_end: bool = False) -> list[str]:
    """Put the report in the outbox for its recipients (the PDF attached, or the first file
    there is) and mark the archived files handed over; returns the person ids it goes to. A
    board report whose period is not over goes only with ``before_period_end``, recorded."""
    may_send_now(request, before_period_end)
    people = recipients(defs, request)
    if not people:
        roles = _recipient_roles(defs, request)
        raise CtcError(f"nobody holds the roles {', '.join(roles)} on {request.as_of}: see areas.yml")
    attachment_id = next((i for f, i in files if f.format == "pdf"), files[0][1])
    attachment = next(f for f, i in files if i == attachment_id)
    # an occasion's key names the area of an area report; a period of one's own choosing (the
    # stem) already does
    key_base = keys.report_base(request.kind, str(request.occasion.year if request.occasion else request.stem),
                                request.area_id if request.occasion else None)
    notices = []
    for person in people.values():
        def context(lang: str = person.lang, name: str = person.name) -> dict[str, Any]:
            return {"person": name, "title": request.report.title.get(lang), "period": request.period,
                    "as_of": request.as_of, "due": request.occasion.due if request.occasion else None,
                    "filename": attachment.filename, "sha256": attachment.sha256,
                    "area": defs.name("area", request.area_id, lang) if request.area_id else None,
                    "municipality": defs.org.municipality}

        notices.append(Notice(key=keys.report_sent(key_base, request.as_of, person.id), kind=NoticeKind.REPORT,
                              as_of=request.as_of,
                              area_id=request.area_id, recipient=person.id, reference=person.notify,
                              lang=person.lang, template="report_sent", context=context,
                              attachment_id=attachment_id))
    write_new(session, notices, renderer(settings.templates_dir), defs.process.notification_policy.brief)
    sent_to = ",".join(sorted(people))
    ids = [i for _, i in files]
    session.execute(update(ReportArchive).where(col(ReportArchive.id).in_(ids), col(ReportArchive.sent_on).is_(None))
                    .values(sent_on=request.as_of, sent_to=sent_to))
    record(session, [NewEvent("report_sent", by, request.as_of, request.area_id, request.kind,
                              None, f"{request.period.label()} → {sent_to}"
                              + (BEFORE_PERIOD_END if period_not_over(request) else ""),
                              attachment.sha256)])
    return sorted(people)


def _recipient_roles(defs: Definitions, request: Request) -> list[str]:
    """The KS report goes to its recipients; an area's report to the area's own team."""
    return [defs.process.area_lead, defs.process.area_team] if request.area_id else request.report.recipients


def recipients(defs: Definitions, request: Request) -> dict[str, PersonDef]:
    """Who the report goes to on its as-of day, by person id."""
    directory = Directory(defs, request.as_of)
    return {p.id: p for role in _recipient_roles(defs, request) for p in directory.holders(role, request.area_id)
            if not request.area_id or p.id in _area_people(defs, request.area_id)}


def _area_people(defs: Definitions, area_id: str) -> set[str]:
    area = defs.org.area(area_id)
    return {p.id for p in area.people} if area else set()


def send_due(session: Session, defs: Definitions, settings: Settings, as_of: date, *,
             by: str = "ks-report") -> list[tuple[ReportOccasion, list[str], int]]:
    """The deployment's job: every occasion due by ``as_of`` and not sent yet is rendered and
    sent now, its gaps stated — the board gets it on the day, complete or not. Returns each
    occasion with its recipients and its number of gaps."""
    done = []
    for found in open_occasions(session, defs, as_of, as_of):
        request = Request(found.report, found.period, as_of, "sv", found)
        content, files = produce(session, defs, settings, request, by=by)
        done.append((found, send(session, defs, settings, request, files, by=by), len(content.gaps)))
    return done

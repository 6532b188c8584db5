"""Prioritering and the handlingsplan on one page: the survey's suggested factors beside the
team's decision, the plan's goals and programmes per priority factor with what is still
uncovered, the plan to print, and how each chosen programme runs with its fidelity verdict.
A refused entry is shown next to its field, with what was typed kept."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import plans
from ctcflow.app.survey import comparison_words
from ctcflow.core.errors import Invalid
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.web.deps import AreaViewer, FormViewer, Viewer, WebState
from ctcflow.web.errors import PageError
from ctcflow.web.forms import field_error
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.routes.area import refusals_as_pages

router = APIRouter()
FormText = Annotated[str, Form()]
PERCENT = re.compile(r"^\s*(\d{1,3}([.,]\d+)?)\s*%?\s*$")


def plan_view(request: Request, web: WebState, viewer: Viewer, area_id: str, status: int = 200,
              **extra: Any) -> HTMLResponse:
    area = web.defs.org.area(area_id)
    if area is None:
        raise PageError(404, "not_found")
    lang = lang_of(request, viewer)
    survey = load_survey(web.settings)
    ws = plans.workspace(web.defs, web.settings, area_id, web.today())
    suggested = {s.factor_id for s in ws.suggested}
    factors = sorted(survey.factors, key=lambda f: f.id not in suggested)  # the suggested first
    context: dict[str, Any] = {"errors": {}, "typed": {}, "saved": None, **extra}
    return page(request, "plan", viewer, status, area_id=area_id, area_name=area.name, ws=ws,
                n=web.names(lang), factors=factors, outcomes=survey.outcomes, suggested=suggested,
                comparison=comparison_words(ws.comparison, lang),
                catalogue=load_programmes(web.settings),
                can_change=viewer.may(web.defs, Action.RECORD_AREA_WORK, area_id), **context)


def refused(request: Request, web: WebState, viewer: Viewer, area_id: str, where: str, exc: Invalid,
            typed: dict[str, Any]) -> HTMLResponse:
    return plan_view(request, web, viewer, area_id, 422, errors={where: field_error(request, web, viewer, exc)},
                     typed={where: typed})


def saved(request: Request, area_id: str, what: str, anchor: str) -> RedirectResponse:
    return RedirectResponse(f"{root(request)}/omrade/{area_id}/plan?sparat={what}#{anchor}", status_code=303)


def may_record(web: WebState, viewer: Viewer, area_id: str) -> None:
    viewer.require(web.defs, Action.RECORD_AREA_WORK, area_id)


@router.get("/omrade/{area_id}/plan")
def plan_page(request: Request, web: WebState, viewer: AreaViewer, area_id: str,
              sparat: str | None = None) -> HTMLResponse:
    return plan_view(request, web, viewer, area_id, saved=sparat)


@router.get("/omrade/{area_id}/plan/dokument")
def plan_document(request: Request, web: WebState, viewer: AreaViewer, area_id: str) -> HTMLResponse:
    """The handlingsplan as the styrgrupp approves it and the board reads it, ready to print."""
    with refusals_as_pages(web, lang_of(request, viewer), "nothing_yet"):
        return HTMLResponse(plans.plan_document(area_id, lang_of(request, viewer), web.defs, web.settings,
                                                back=f"{root(request)}/omrade/{area_id}/plan"))


@router.get("/omrade/{area_id}/plan/dokument.pdf")
def plan_pdf(request: Request, web: WebState, viewer: AreaViewer, area_id: str) -> Response:
    """The handlingsplan as a PDF, to send to the styrgrupp or file with the decision."""
    with refusals_as_pages(web, lang_of(request, viewer), "nothing_yet"):
        pdf = plans.plan_pdf(area_id, lang_of(request, viewer), web.defs, web.settings)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="handlingsplan-{area_id}.pdf"'})


@router.get("/omrade/{area_id}/profil")
def profile(request: Request, web: WebState, viewer: AreaViewer, area_id: str) -> HTMLResponse:
    """The områdesprofil of the latest survey with answers from the area."""
    with refusals_as_pages(web, lang_of(request, viewer), "nothing_yet"):
        return HTMLResponse(plans.area_profile(web.defs, web.settings, area_id, lang_of(request, viewer),
                                               web.today(), back=f"{root(request)}/omrade/{area_id}"))


@router.post("/omrade/{area_id}/plan/prioriteringar")
def decide(request: Request, web: WebState, viewer: FormViewer, area_id: str, wave: FormText = "",
           factors: Annotated[list[str] | None, Form()] = None, note: FormText = "") -> Response:
    may_record(web, viewer, area_id)
    chosen = factors or []
    try:
        with refusals_as_pages(web, lang_of(request, viewer), "not_saved", passing=(Invalid,)):
            why_not = plans.priorities(web.defs, web.settings, area_id, wave, chosen, by=viewer.person.id,
                                       as_of=web.today(), note=note.strip() or None)
    except Invalid as exc:
        return refused(request, web, viewer, area_id, "decision", exc, {"factors": chosen, "note": note})
    return saved(request, area_id, "beslut" if why_not is None else "beslut-utan-milstolpe", "prioriteringar")


@router.post("/omrade/{area_id}/plan/mal")
def add_goal(request: Request, web: WebState, viewer: FormViewer, area_id: str, subject: FormText = "",
             target: FormText = "", where: FormText = "") -> Response:
    may_record(web, viewer, area_id)
    where = where if where in ("beteende", f"faktor-{subject}") else "beteende"
    try:
        with refusals_as_pages(web, lang_of(request, viewer), "not_saved", passing=(Invalid,)):
            plans.plan_goal(area_id, subject, target, by=viewer.person.id, as_of=web.today(), defs=web.defs,
                            settings=web.settings)
    except Invalid as exc:
        return refused(request, web, viewer, area_id, where, exc, {"subject": subject, "target": target})
    return saved(request, area_id, where, where)


@router.post("/omrade/{area_id}/plan/program")
def add_programme(request: Request, web: WebState, viewer: FormViewer, area_id: str, factor: FormText = "",
                  programme: FormText = "", note: FormText = "", responsible: FormText = "",
                  starts_on: FormText = "", ends_on: FormText = "", budget: FormText = "") -> Response:
    may_record(web, viewer, area_id)
    where = f"faktor-{factor}"
    typed = {"programme": programme, "responsible": responsible, "starts_on": starts_on, "ends_on": ends_on,
             "budget": budget}
    try:
        plan = plans.ProgrammePlan(responsible.strip() or None, optional_day(starts_on, "starts_on"),
                             optional_day(ends_on, "ends_on"), budget.strip() or None)
        with refusals_as_pages(web, lang_of(request, viewer), "not_saved", passing=(Invalid,)):
            plans.plan_programme(area_id, factor, programme, by=viewer.person.id, as_of=web.today(),
                                 note=note.strip() or None, plan=plan, defs=web.defs, settings=web.settings)
    except Invalid as exc:
        return refused(request, web, viewer, area_id, f"program-{factor}", exc, typed)
    return saved(request, area_id, where, where)


def optional_day(text: str, field: str) -> date | None:
    """A date field that may be left empty; anything else than a date is refused, named."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(field, "date_format", "not a date") from None


def count(text: str, field: str) -> int:
    if not text.strip().isdigit():
        raise Invalid(field, "count", f"{field}: not a whole number")
    return int(text.strip())


def share(text: str) -> float:
    """'85', '85 %', '85,5' → 0.85…: the page asks for a percentage."""
    match = PERCENT.match(text)
    if match is None:
        raise Invalid("adherence", "adherence_range", "not a percentage")
    return float(match.group(1).replace(",", ".")) / 100


@router.post("/omrade/{area_id}/plan/genomforande/{programme_id}")
def add_period(request: Request, web: WebState, viewer: FormViewer, area_id: str, programme_id: str,
               period_end: FormText = "", sessions_planned: FormText = "", sessions_held: FormText = "",
               participants: FormText = "", adherence: FormText = "", note: FormText = "") -> Response:
    may_record(web, viewer, area_id)
    where = f"genomforande-{programme_id}"
    typed = {"period_end": period_end, "sessions_planned": sessions_planned, "sessions_held": sessions_held,
             "participants": participants, "adherence": adherence, "note": note}
    try:
        end = optional_day(period_end, "period_end")
        if end is None:
            raise Invalid("period_end", "date_format", "not a date")
        if end > web.today():
            raise Invalid("period_end", "future", "the period has not ended yet")
        with refusals_as_pages(web, lang_of(request, viewer), "not_saved", passing=(Invalid,)):
            plans.implementation(area_id, programme_id, period_end=end,
                                 sessions_planned=count(sessions_planned, "sessions_planned"),
                                 sessions_held=count(sessions_held, "sessions_held"),
                                 participants=count(participants, "participants"), adherence=share(adherence),
                                 by=viewer.person.id, as_of=web.today(), note=note.strip() or None,
                                 defs=web.defs, settings=web.settings)
    except Invalid as exc:
        return refused(request, web, viewer, area_id, where, exc, typed)
    return saved(request, area_id, where, where)

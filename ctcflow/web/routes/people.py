"""People and roles, for the central coordinator: who holds which role in each area and
centrally, the roles nobody holds, and the changes — a person joins, leaves, or takes over a
role from its holder — dated, effective at once and kept in the history."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.access.vacancies import vacancies
from ctcflow.app import people
from ctcflow.app.outbox import retry_and_deliver
from ctcflow.app.sessions import end_sessions_of, live_sessions
from ctcflow.app.signin import send_welcome, welcome_state
from ctcflow.core.errors import Invalid
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState
from ctcflow.web.errors import PageError
from ctcflow.web.forms import field_error
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.retried import as_query, from_query

router = APIRouter()
FormText = Annotated[str, Form()]


def people_view(request: Request, web: WebState, viewer: Viewer, status: int = 200, **extra: Any) -> HTMLResponse:
    viewer.require(web.defs, Action.MANAGE_PEOPLE, refused="coordinator_only")
    defs, today = web.defs, web.today()
    groups = [(None, [p for p in defs.org.central if p.active_on(today)])] + \
             [(a, [p for p in a.people if p.active_on(today)]) for a in defs.org.areas]
    lang = lang_of(request, viewer)
    context: dict[str, Any] = {"errors": {}, "typed": {}, "saved": None, "signed_out": None, "retried": None,
                               **extra}
    saved = context["saved"]
    context["welcome"] = welcome_state(web.settings, saved) if saved and defs.org.person(saved) else None
    live = live_sessions(web.settings, [p.id for _, members in groups for p in members])
    return page(request, "personer", viewer, status, groups=groups, vacant=vacancies(defs, today), live=live,
                sector_names={s.id: s.title.get(lang) for s in defs.process.sectors},
                roles=defs.process.roles, sectors=defs.process.sectors, areas=defs.org.areas,
                n=web.names(lang), **context)


@router.get("/personer")
def people_page(request: Request, web: WebState, viewer: SignedIn, sparat: str | None = None, roll: str = "",
                omrade: str = "", ersatter: str = "", utloggad: str | None = None, forsokt: int | None = None,
                skickade: int = 0, misslyckade: int = 0, dag: str = "", upptagen: int = 0) -> HTMLResponse:
    typed = {"role": roll, "area": omrade, "replaces": ersatter}
    retried = from_query(forsokt, skickade, misslyckade, dag, upptagen)
    return people_view(request, web, viewer, saved=sparat, typed={"add": typed}, signed_out=utloggad,
                       retried=retried.words(lang_of(request, viewer)) if retried and retried.waiting else None)


@router.get("/personer/{person_id}/logga-ut")
def confirm_sign_out(request: Request, web: WebState, viewer: SignedIn, person_id: str) -> HTMLResponse:
    """Signing someone out everywhere asks first: it ends their work on every device."""
    viewer.require(web.defs, Action.MANAGE_PEOPLE, refused="coordinator_only")
    found = web.defs.org.person(person_id)
    if found is None:
        raise PageError(404, "not_found")
    live = live_sessions(web.settings, [person_id]).get(person_id, 0)
    return page(request, "logga_ut", viewer, person=found[0], live=live)


@router.post("/personer/{person_id}/adress")
def correct_address(request: Request, web: WebState, viewer: FormViewer, person_id: str,
                    email: FormText = "") -> Response:
    """A wrong address corrected — what failed at it, or waits for it, goes to the new one."""
    viewer.require(web.defs, Action.MANAGE_PEOPLE, refused="coordinator_only")
    if web.defs.org.person(person_id) is None:
        raise PageError(404, "not_found")
    try:
        failed = people.correct_address(web.defs, web.settings, person_id, email, by=viewer.person.id,
                                        as_of=web.today())
    except Invalid as exc:
        where = f"adress-{person_id}"
        return people_view(request, web, viewer, 422, errors={where: field_error(request, web, viewer, exc)},
                           typed={where: {"email": email}})
    web.people_changed()
    retried = retry_and_deliver(failed, web.today())
    return RedirectResponse(f"{root(request)}/personer?sparat=adress&{as_query(retried)}#p-{person_id}",
                            status_code=303)


@router.post("/personer/{person_id}/logga-ut")
def sign_out_everywhere(request: Request, web: WebState, viewer: FormViewer, person_id: str) -> Response:
    """A lost phone, a shared computer, a person who should no longer be in: every session of
    theirs ends now; they sign in again with a link to their own address."""
    viewer.require(web.defs, Action.MANAGE_PEOPLE, refused="coordinator_only")
    if web.defs.org.person(person_id) is None:
        raise PageError(404, "not_found")
    end_sessions_of(web.settings, person_id)
    return RedirectResponse(f"{root(request)}/personer?utloggad={person_id}#p-{person_id}", status_code=303)


def day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(field, "date_format", "not a date") from None


@router.post("/personer/ny")
def add(request: Request, web: WebState, viewer: FormViewer, name: FormText = "", email: FormText = "",
        role: FormText = "", area: FormText = "", sector: FormText = "", lang: FormText = "sv",
        start: FormText = "", replaces: FormText = "") -> Response:
    viewer.require(web.defs, Action.MANAGE_PEOPLE, refused="coordinator_only")  # with the session's scope
    typed = {"name": name, "email": email, "role": role, "area": area, "sector": sector, "lang": lang,
             "start": start, "replaces": replaces}
    try:
        person_id = people.add_person(web.defs, web.settings, name=name, email=email, role=role,
                                      area_id=area or None, sector=sector or None,
                                      lang=lang if lang in ("sv", "en") else "sv", start=day(start, "start"),
                                      by=viewer.person.id, as_of=web.today(), replaces=replaces or None)
    except Invalid as exc:
        return people_view(request, web, viewer, 422, errors={"add": field_error(request, web, viewer, exc)},
                           typed={"add": typed})
    web.people_changed()
    send_welcome(web.settings, person_id, added_by=viewer.person.id, as_of=web.today())
    return RedirectResponse(f"{root(request)}/personer?sparat={person_id}#p-{person_id}", status_code=303)


@router.post("/personer/{person_id}/slutar")
def leave(request: Request, web: WebState, viewer: FormViewer, person_id: str, last_day: FormText = "") -> Response:
    viewer.require(web.defs, Action.MANAGE_PEOPLE, refused="coordinator_only")  # with the session's scope
    try:
        people.end_person(web.defs, web.settings, person_id, day(last_day, "last_day"), by=viewer.person.id,
                          as_of=web.today())
    except Invalid as exc:
        return people_view(request, web, viewer, 422, errors={person_id: field_error(request, web, viewer, exc)},
                           typed={person_id: {"last_day": last_day}})
    web.people_changed()
    return RedirectResponse(f"{root(request)}/personer?sparat=slutar", status_code=303)

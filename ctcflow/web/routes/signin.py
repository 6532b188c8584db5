"""Signing in and out. A sign-in link goes to the person's own channel; a link in a reminder or
notice opens what it is about. Every link works once, and only after the person confirms on the
page it opens (so a mail scanner that fetches links, or another site that sends a visitor to one,
signs nobody in). A session opened from a reminder covers that reminder's milestone; from a
notice, its area; signing in with a sign-in link (or single sign-on) covers everything the
person may do. Sessions live on the server: signing out ends them there."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.identity import person_with_address
from ctcflow.access.permissions import Scope
from ctcflow.app.progress import milestone_of_instance
from ctcflow.app.sessions import end_session, open_session, use_once, was_used
from ctcflow.app.signin import send_login_link
from ctcflow.core.tokens import Claims, TokenError, csrf_token, purpose_of, sign, verify
from ctcflow.definition.organisation import PersonDef
from ctcflow.web.deps import SESSION_COOKIE, FormViewer, Viewer, WebState, viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import lang_of, page, root

router = APIRouter()
FORM_COOKIE = "ctc_form"  # before signing in: binds the sign-in and link forms' tokens
LINK_PURPOSES = ("login", "milestone", "open")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/")
def home(request: Request) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return RedirectResponse(f"{root(request)}/login", status_code=303)
    return RedirectResponse(f"{root(request)}{start_page(viewer)}", status_code=303)


def start_page(viewer: Viewer) -> str:
    if viewer.scope is not None:
        return f"/omrade/{viewer.scope.area_id}" if viewer.scope.area_id else "/oversikt"
    return "/oversikt" if viewer.central else f"/omrade/{viewer.area_id}"


def with_form_cookie(request: Request, web: WebState, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with a form used before signing in: its token is bound to a short-lived cookie."""
    form = sign(web.key, "form", "-", seconds=3600)
    response = page(request, name, viewer_of(request), status,
                    form_csrf=csrf_token(web.key, verify(web.key, form, "form").jti), **context)
    response.set_cookie(FORM_COOKIE, form, httponly=True, secure=True, samesite="strict", max_age=3600)
    return response


def check_form_cookie(request: Request, web: WebState, csrf: str) -> None:
    try:
        jti = verify(web.key, request.cookies.get(FORM_COOKIE, ""), "form").jti
    except TokenError:
        raise PageError(403, "bad_form") from None
    if not hmac.compare_digest(csrf.encode(), csrf_token(web.key, jti).encode()):
        raise PageError(403, "bad_form")


@router.get("/login")
def login_form(request: Request, web: WebState) -> HTMLResponse:
    return with_form_cookie(request, web, "login", sent=False)


@router.post("/login")
def login_send(request: Request, web: WebState, email: Annotated[str, Form()] = "",
               csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """The link goes to the person's own channel. The answer is the same, and comes as fast,
    whether the address is known or not: the sending is queued, never awaited. One client may
    ask a few times in a while; asking for one person more often sends nothing more."""
    check_form_cookie(request, web, csrf)
    if not web.signin_per_client.allow(request.client.host if request.client else "-"):
        raise PageError(429, "too_many")
    person = person_with_address(web.address_book, email[:320], web.today())
    if person is not None and web.signin_per_person.allow(person.id):
        queue_login_link(web, person)
    return page(request, "login", None, form_csrf="", sent=True)


def queue_login_link(web: WebState, person: PersonDef) -> None:
    defs, today = web.defs, web.today()
    web.background.submit(lambda: send_login_link(defs, web.settings, person, today))


def _link(web: WebState, token: str) -> tuple[Claims, PersonDef]:
    """The link's claims and person — or the page saying why it cannot be followed."""
    purpose = purpose_of(token)
    if purpose not in LINK_PURPOSES:
        raise PageError(400, "link_tampered")
    try:
        claims = verify(web.key, token, purpose)
    except TokenError as exc:
        raise PageError(400 if exc.reason != "expired" else 410, f"link_{exc.reason}") from None
    found = web.defs.org.person(claims.person)
    if found is None or not found[0].active_on(web.today()):
        raise PageError(403, "link_person")
    return claims, found[0]


def _scope(claims: Claims) -> Scope | None:
    """What a session opened from the link covers: a reminder its milestone, a notice its area
    (or, without one, a look at the overview); a sign-in link everything."""
    if claims.purpose == "login":
        return None
    area = claims.data.get("a")
    milestone = claims.data.get("m") if claims.purpose == "milestone" else None
    return Scope(str(area) if area else None, int(milestone) if milestone is not None else None)


def _target(claims: Claims) -> str:
    if claims.purpose == "milestone":
        return f"/omrade/{claims.data['a']}?m={claims.data['m']}#m-{claims.data['m']}"
    if claims.purpose == "open" and claims.data.get("a"):
        return f"/omrade/{claims.data['a']}"
    return "/"


def _what(web: WebState, claims: Claims, lang: str) -> str:
    """What the link opens, in words: "Bellevuegården: Styrgrupp bildad"."""
    area = claims.data.get("a")
    if not area:
        return ""
    area_name = web.defs.name("area", str(area), lang)
    if claims.purpose != "milestone":
        return area_name
    milestone = milestone_of_instance(web.settings, int(claims.data["m"]))
    return f"{area_name}: {web.names(lang)['milestone'].get(milestone or '', '')}".rstrip(": ")


@router.get("/l/{token}")
def follow_link(request: Request, web: WebState, token: str) -> Response:
    """Says what the link opens and for whom, and asks to go on. Someone already signed in as
    the link's person goes straight there; signed in as someone else, the page says so."""
    claims, person = _link(web, token)
    viewer = viewer_of(request)
    if viewer is not None and viewer.person.id == person.id and viewer.scope in (None, _scope(claims)):
        return RedirectResponse(f"{root(request)}{_target(claims)}", status_code=303)
    used = was_used(web.settings, claims.jti)
    return with_form_cookie(request, web, "lank", 410 if used else 200, token=token, person=person.name,
                            what=_what(web, claims, lang_of(request, viewer)), used=used, resent=False,
                            current=viewer.person.name if viewer else "")


@router.post("/l/{token}")
def open_link(request: Request, web: WebState, token: str, csrf: Annotated[str, Form()] = "") -> Response:
    """The confirmed link: used now (a second use finds it used), the browser's earlier session
    ended, a new one opened for the link's person and what the link covers."""
    check_form_cookie(request, web, csrf)
    claims, person = _link(web, token)
    if not use_once(web.settings, claims.jti, person.id, claims.expires):
        raise PageError(410, "link_used")
    earlier = viewer_of(request)
    if earlier is not None:
        end_session(web.settings, earlier.jti)
    via = "login" if claims.purpose == "login" else "link"
    value = open_session(web.settings, person.id, via, _scope(claims))
    response = RedirectResponse(f"{root(request)}{_target(claims)}", status_code=303)
    response.set_cookie(SESSION_COOKIE, value, httponly=True, secure=True, samesite="lax")
    return response


@router.post("/l/{token}/ny")
def resend(request: Request, web: WebState, token: str, csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """A used (or expired) link's person gets a fresh sign-in link — to their own channel, not to
    whoever holds the old one."""
    check_form_cookie(request, web, csrf)
    purpose = purpose_of(token)
    try:
        claims = verify(web.key, token, purpose or "-", now=0)  # expiry does not matter here
    except TokenError:
        raise PageError(400, "link_tampered") from None
    found = web.defs.org.person(claims.person)
    if found is None or not found[0].active_on(web.today()) or purpose not in LINK_PURPOSES:
        raise PageError(403, "link_person")
    if not web.signin_per_client.allow(request.client.host if request.client else "-"):
        raise PageError(429, "too_many")
    if web.signin_per_person.allow(found[0].id):
        queue_login_link(web, found[0])
    return page(request, "lank", viewer_of(request), token=token, person=found[0].name, what="", used=True,
                resent=True, current="", form_csrf="")


@router.post("/logga-in-helt")
def sign_in_fully(request: Request, web: WebState, viewer: FormViewer) -> HTMLResponse:
    """From a link's session: a sign-in link to the person's own channel, for everything else."""
    if web.signin_per_person.allow(viewer.person.id):
        queue_login_link(web, viewer.person)
    return page(request, "login", viewer, form_csrf="", sent=True)


@router.post("/logout")
def logout(request: Request, web: WebState, viewer: FormViewer) -> Response:
    end_session(web.settings, viewer.jti)
    response = RedirectResponse(f"{root(request)}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

"""Signing in and out: the start page, the form that sends a sign-in link to the person's own
channel (the links themselves are followed in ``links``; the city's account in ``sso``), and
signing out. Sessions live on the server: signing out ends them there."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.identity import person_with_address
from ctcflow.app.sessions import end_session
from ctcflow.app.signin import send_login_link
from ctcflow.core.tokens import TokenError, csrf_token, sign, verify
from ctcflow.definition.organisation import PersonDef
from ctcflow.web.deps import SESSION_COOKIE, FormViewer, Viewer, WebState, viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import page, root

router = APIRouter()
FORM_COOKIE = "ctc_form"  # before signing in: binds the sign-in and link forms' tokens


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
    count_client(request, web)
    person = person_with_address(web.address_book, email[:320], web.today())
    if person is not None:
        queue_login_link(web, person)
    return page(request, "login", None, form_csrf="", sent=True)


def count_client(request: Request, web: WebState) -> None:
    """One more request for a sign-in link from this client; past its share, the page says wait."""
    if not web.signin_per_client.allow(request.client.host if request.client else "-"):
        raise PageError(429, "too_many")


def queue_login_link(web: WebState, person: PersonDef) -> None:
    """A sign-in link to the person's own channel, unless they have had their share this hour."""
    if not web.signin_per_person.allow(person.id):
        return
    defs, today = web.defs, web.today()
    web.background.submit(lambda: send_login_link(defs, web.settings, person, today))


@router.post("/logga-in-helt")
def sign_in_fully(request: Request, web: WebState, viewer: FormViewer) -> HTMLResponse:
    """From a link's session: a sign-in link to the person's own channel, for everything else."""
    queue_login_link(web, viewer.person)
    return page(request, "login", viewer, form_csrf="", sent=True)


@router.post("/logout")
def logout(request: Request, web: WebState, viewer: FormViewer) -> Response:
    end_session(web.settings, viewer.jti)
    response = RedirectResponse(f"{root(request)}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response

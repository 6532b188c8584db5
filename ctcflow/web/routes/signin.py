"""Signing in and out: one-time links sent to the person's own channel, and the links in
reminders; the session is a signed, HTTP-only, secure cookie."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from ctcflow.access.identity import person_with_address
from ctcflow.app.signin import send_login_link
from ctcflow.core.tokens import Claims, TokenError, csrf_token, purpose_of, sign, verify
from ctcflow.web.deps import SESSION_COOKIE, FormViewer, WebState, viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import page, root
from db.engine import session_scope
from db.models import WebTokenUse

router = APIRouter()
FORM_COOKIE = "ctc_form"  # before signing in: binds the sign-in form's token
SESSION_HOURS = 8


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/")
def home(request: Request) -> Response:
    viewer = viewer_of(request)
    if viewer is None:
        return RedirectResponse(f"{root(request)}/login", status_code=303)
    target = "/oversikt" if viewer.central else f"/omrade/{viewer.area_id}"
    return RedirectResponse(f"{root(request)}{target}", status_code=303)


@router.get("/login")
def login_form(request: Request, web: WebState) -> HTMLResponse:
    form = sign(web.key, "form", "-", seconds=3600)
    response = page(request, "login", None, form_csrf=csrf_token(web.key, verify(web.key, form, "form").jti),
                    sent=False)
    response.set_cookie(FORM_COOKIE, form, httponly=True, secure=True, samesite="strict", max_age=3600)
    return response


@router.post("/login")
def login_send(request: Request, web: WebState, background: BackgroundTasks, email: Annotated[str, Form()] = "",
               csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """The link goes to the person's own channel. The answer is the same, and comes as fast,
    whether the address is known or not: the sending happens after the answer."""
    try:
        jti = verify(web.key, request.cookies.get(FORM_COOKIE, ""), "form").jti
    except TokenError:
        raise PageError(403, "bad_form") from None
    if csrf != csrf_token(web.key, jti):
        raise PageError(403, "bad_form")
    person = person_with_address(web.address_book, email[:320], web.today())
    if person is not None:
        background.add_task(send_login_link, web.defs, web.settings, web.links, person, web.today())
    return page(request, "login", None, form_csrf="", sent=True)


@router.get("/l/{token}")
def follow_link(request: Request, web: WebState, token: str) -> Response:
    purpose = purpose_of(token)
    if purpose not in ("login", "milestone", "open"):
        raise PageError(400, "link_tampered")
    try:
        claims = verify(web.key, token, purpose)
    except TokenError as exc:
        raise PageError(400 if exc.reason != "expired" else 410, f"link_{exc.reason}") from None
    found = web.defs.org.person(claims.person)
    if found is None or not found[0].active_on(web.today()):
        raise PageError(403, "link_person")
    target = "/"
    if purpose == "login":
        _use_once(claims, web)
    elif purpose == "milestone":
        target = f"/omrade/{claims.data['a']}?m={claims.data['m']}#m-{claims.data['m']}"
    elif claims.data.get("a"):
        target = f"/omrade/{claims.data['a']}"
    response = RedirectResponse(f"{root(request)}{target}", status_code=303)
    response.set_cookie(SESSION_COOKIE, sign(web.key, "session", claims.person, seconds=SESSION_HOURS * 3600),
                        httponly=True, secure=True, samesite="lax", max_age=SESSION_HOURS * 3600)
    return response


@router.post("/logout")
def logout(request: Request, viewer: FormViewer) -> Response:
    response = RedirectResponse(f"{root(request)}/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _use_once(claims: Claims, web: WebState) -> None:
    try:
        with session_scope(web.settings) as session:
            session.add(WebTokenUse(jti=claims.jti, person_id=claims.person, used_at=datetime.now(tz=UTC)))
    except IntegrityError:
        raise PageError(410, "link_used") from None

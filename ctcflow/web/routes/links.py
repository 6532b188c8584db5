"""The links in messages. Every link works once, and only after the person confirms on the page it
opens (so a mail scanner that fetches links, or another site that sends a visitor to one, signs
nobody in). A session opened from a reminder covers that reminder's milestone; from a notice, its
area; a sign-in link covers everything the person may do. A used link offers a fresh sign-in
link — to its person's own channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Scope, active_actor
from ctcflow.app.progress import milestone_of_instance
from ctcflow.app.sessions import end_session, open_session, use_once, was_used
from ctcflow.core.tokens import Claims, TokenError, purpose_of, verify
from ctcflow.definition.organisation import PersonDef
from ctcflow.web.deps import SESSION_COOKIE, WebState, viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.routes.signin import check_form_cookie, count_client, queue_login_link, with_form_cookie

router = APIRouter()
LINK_PURPOSES = ("login", "milestone", "open")


def _link(web: WebState, token: str, now: float | None = None) -> tuple[Claims, PersonDef]:
    """The link's claims and person — or the page saying why it cannot be followed. ``now=0``:
    an expired link still names its person (to send them a fresh one)."""
    purpose = purpose_of(token)
    if purpose not in LINK_PURPOSES:
        raise PageError(400, "link_tampered")
    try:
        claims = verify(web.key, token, purpose, now=now)
    except TokenError as exc:
        raise PageError(400 if exc.reason != "expired" else 410, f"link_{exc.reason}") from None
    actor = active_actor(web.defs, claims.person, web.today())
    if actor is None:
        raise PageError(403, "link_person")
    return claims, actor.person


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
    _, person = _link(web, token, now=0)
    count_client(request, web)
    queue_login_link(web, person)
    return page(request, "lank", viewer_of(request), token=token, person=person.name, what="", used=True,
                resent=True, current="", form_csrf="")

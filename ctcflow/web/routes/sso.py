"""Single sign-on: the button on the sign-in page sends the browser to the city's identity
provider; it comes back with a code, which is exchanged and verified (ctcflow.app.sso). The
state, nonce and PKCE verifier travel in a short-lived signed cookie of this browser, so a
callback that did not start here — or whose state was changed — signs nobody in. A person the
provider knows but CTC does not is told so, and whom to ask."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ctcflow.access.identity import person_with_address
from ctcflow.access.permissions import active_actor
from ctcflow.app.sessions import end_session, open_session
from ctcflow.app.sso import SsoError
from ctcflow.core.tokens import TokenError, sign, verify
from ctcflow.web.deps import SESSION_COOKIE, WebState, viewer_of
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import root

router = APIRouter()
SSO_COOKIE = "ctc_sso"
SSO_SECONDS = 600


def _redirect_uri(web: WebState) -> str:
    """From the configured public address, never from the request's Host header."""
    return f"{web.settings.web_base_url.rstrip('/')}/sso/callback"


@router.get("/sso/start")
def sso_start(web: WebState) -> Response:
    if web.sso is None:
        raise PageError(404, "not_found")
    try:
        started = web.sso.start(_redirect_uri(web))
    except SsoError as exc:
        raise PageError(502, exc.reason) from None
    cookie = sign(web.key, "sso", "-", seconds=SSO_SECONDS, s=started.state, n=started.nonce, v=started.verifier)
    response = RedirectResponse(started.url, status_code=303)
    # Lax: the provider's redirect back is a top-level navigation from its site
    response.set_cookie(SSO_COOKIE, cookie, httponly=True, secure=True, samesite="lax", max_age=SSO_SECONDS)
    return response


@router.get("/sso/callback")
def sso_callback(request: Request, web: WebState, code: str = "", state: str = "", error: str = "") -> Response:
    if web.sso is None:
        raise PageError(404, "not_found")
    try:
        started = verify(web.key, request.cookies.get(SSO_COOKIE, ""), "sso").data
    except TokenError:
        raise PageError(400, "sso_state") from None
    if not hmac.compare_digest(state.encode(), str(started.get("s", "")).encode()):
        raise PageError(400, "sso_state")
    if error or not code:
        raise PageError(403, "sso_refused")
    try:
        value = web.sso.finish(code[:2000], _redirect_uri(web), str(started["n"]), str(started["v"]))
    except SsoError as exc:
        raise PageError(502 if exc.reason == "sso_unavailable" else 403, exc.reason) from None
    person = person_with_address(web.address_book, value, web.today())
    if person is None:  # a claim other than the e-mail: the person's id in areas.yml
        actor = active_actor(web.defs, value, web.today())
        person = actor.person if actor else None
    if person is None:
        raise PageError(403, "sso_unknown")
    earlier = viewer_of(request)
    if earlier is not None:
        end_session(web.settings, earlier.jti)
    value = open_session(web.settings, person.id, "oidc")
    response = RedirectResponse(f"{root(request)}/", status_code=303)  # the start page decides where
    response.set_cookie(SESSION_COOKIE, value, httponly=True, secure=True, samesite="lax")
    response.delete_cookie(SSO_COOKIE)
    return response

"""The dependencies every route declares: the app's shared state, the signed-in viewer, the
form token, and the one permission check (ctcflow.access.permissions) for an area."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Request

from ctcflow.access.permissions import Action, Actor, may
from ctcflow.core.tokens import TokenError, csrf_token, verify
from ctcflow.definition.loader import Definitions
from ctcflow.web.context import Web
from ctcflow.web.errors import PageError

SESSION_COOKIE = "ctc_session"


@dataclass(frozen=True)
class Viewer(Actor):
    """The signed-in person; what they may do is the permission rule's answer."""

    jti: str = ""

    def may(self, defs: Definitions, action: Action, area_id: str | None = None, role: str | None = None) -> bool:
        return may(defs, self, action, area_id, role=role)


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def viewer_of(request: Request) -> Viewer | None:
    """The session cookie's person, if it verifies and the person is active today."""
    web = get_web(request)
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        claims = verify(web.key, token, "session")
    except TokenError:
        return None
    found = web.defs.org.person(claims.person)
    if found is None or not found[0].active_on(web.today()):
        return None
    return Viewer(found[0], found[1].id if found[1] else None, claims.jti)


def signed_in(request: Request) -> Viewer:
    viewer = viewer_of(request)
    if viewer is None:
        raise PageError(401, "signed_out")
    return viewer


def checked_form(viewer: Annotated[Viewer, Depends(signed_in)], request: Request,
                 csrf: Annotated[str, Form()] = "") -> Viewer:
    """A signed-in viewer whose form carries the token bound to their session."""
    if csrf != csrf_token(get_web(request).key, viewer.jti):
        raise PageError(403, "bad_form")
    return viewer


def central_viewer(viewer: Annotated[Viewer, Depends(signed_in)], request: Request) -> Viewer:
    if not viewer.may(get_web(request).defs, Action.VIEW_CITY):
        raise PageError(403, "central_only")
    return viewer


def area_viewer(area_id: str, viewer: Annotated[Viewer, Depends(signed_in)], request: Request) -> Viewer:
    if not viewer.may(get_web(request).defs, Action.VIEW_AREA, area_id):
        raise PageError(403, "other_area")
    return viewer


WebState = Annotated[Web, Depends(get_web)]
SignedIn = Annotated[Viewer, Depends(signed_in)]
FormViewer = Annotated[Viewer, Depends(checked_form)]
CentralViewer = Annotated[Viewer, Depends(central_viewer)]
AreaViewer = Annotated[Viewer, Depends(area_viewer)]

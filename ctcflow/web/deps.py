"""The dependencies every route declares: the app's shared state, the signed-in viewer, the
form token, the one permission check (ctcflow.access.permissions) and unknown-area guard for an
area, and the request's database session."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Form, Path, Query, Request
from sqlmodel import Session

from ctcflow.access.permissions import Action, Actor, active_actor, beyond_link, may
from ctcflow.app.sessions import session_of
from ctcflow.core.tokens import csrf_token
from ctcflow.definition.loader import Definitions
from ctcflow.web.context import Web
from ctcflow.web.errors import PageError
from db.engine import session_scope

SESSION_COOKIE = "ctc_session"


@dataclass(frozen=True)
class Viewer(Actor):
    """The signed-in person; what they may do is the permission rule's answer."""

    jti: str = ""  # the session's id (its hash), to which every form's token is bound

    def may(self, defs: Definitions, action: Action, area_id: str | None = None, role: str | None = None,
            subject: int | None = None) -> bool:
        return may(defs, self, action, area_id, role=role, subject=subject)

    def require(self, defs: Definitions, action: Action, area_id: str | None = None, *, role: str | None = None,
                subject: int | None = None, refused: str = "other_area") -> None:
        """The rule's yes, or the page that says why not: what the person's role does not allow
        (``refused``), or — signed in from a link — what lies beyond what the link is about."""
        if not self.may(defs, action, area_id, role, subject):
            raise self.refused(defs, action, area_id, role, subject, refused)

    def refused(self, defs: Definitions, action: Action, area_id: str | None, role: str | None,
                subject: int | None, key: str) -> PageError:
        beyond = beyond_link(defs, self, action, area_id, role=role, subject=subject)
        return PageError(403, "link_scope" if beyond else key)


def get_web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def viewer_of(request: Request) -> Viewer | None:
    """The person of the session the cookie names — looked up on the server, so a session ended
    there (signed out, "sign out everywhere") is over whatever the cookie says — if the person is
    still in the roster and active today. Asked once per request."""
    if hasattr(request.state, "viewer"):
        found_viewer: Viewer | None = request.state.viewer
        return found_viewer
    web = get_web(request)
    viewer = None
    opened = session_of(web.settings, request.cookies.get(SESSION_COOKIE))
    actor = active_actor(web.defs, opened.person_id, web.today(), opened.scope) if opened else None
    if opened is not None and actor is not None:
        viewer = Viewer(actor.person, actor.area_id, actor.scope, opened.id_hash)
    request.state.viewer = viewer
    return viewer


def signed_in(request: Request) -> Viewer:
    viewer = viewer_of(request)
    if viewer is None:
        raise PageError(401, "signed_out")
    return viewer


def checked_form(viewer: Annotated[Viewer, Depends(signed_in)], request: Request,
                 csrf: Annotated[str, Form()] = "") -> Viewer:
    """A signed-in viewer whose form carries the token bound to their session."""
    if not hmac.compare_digest(csrf.encode(), csrf_token(get_web(request).key, viewer.jti).encode()):
        raise PageError(403, "bad_form")
    return viewer


def central_viewer(viewer: Annotated[Viewer, Depends(signed_in)], request: Request) -> Viewer:
    viewer.require(get_web(request).defs, Action.VIEW_CITY, refused="central_only")
    return viewer


def _of_area(viewer: Viewer, area_id: str, request: Request) -> Viewer:
    """The web's one unknown-area guard (the wrong-address page), then the permission rule."""
    defs = get_web(request).defs
    if defs.org.area(area_id) is None:
        raise PageError(404, "not_found")
    viewer.require(defs, Action.VIEW_AREA, area_id)
    return viewer


def area_viewer(area_id: str, viewer: Annotated[Viewer, Depends(signed_in)], request: Request) -> Viewer:
    return _of_area(viewer, area_id, request)


def area_form(area_id: str, viewer: Annotated[Viewer, Depends(checked_form)], request: Request) -> Viewer:
    """A form posted about an area: the session's own token, an area there is, one the person may see."""
    return _of_area(viewer, area_id, request)


async def request_session(request: Request) -> AsyncIterator[Session]:
    """The request's one database session for what its page reads; closed when the route has
    returned, before the response goes out. Changes are the application layer's own transactions.

    Opened and closed on the event loop, not in the thread pool, so handing its connection back
    never waits for a free thread behind a crowd of routes waiting for connections. (Making the
    session connects nothing; closing it only hands its connection back.)"""
    with session_scope(get_web(request).settings) as session:
        yield session


def let_go(session: Session) -> None:
    """The page's data is read: its connection goes back to the pool before the page asks any
    other use case (which takes a connection of its own) — one connection per request at a time,
    so a crowd never holds half the pool while waiting for the other half."""
    session.commit()


WebState = Annotated[Web, Depends(get_web)]
DbSession = Annotated[Session, Depends(request_session, scope="function")]
SignedIn = Annotated[Viewer, Depends(signed_in)]
FormViewer = Annotated[Viewer, Depends(checked_form)]
CentralViewer = Annotated[Viewer, Depends(central_viewer)]
AreaViewer = Annotated[Viewer, Depends(area_viewer)]
AreaForm = Annotated[Viewer, Depends(area_form)]

# Numbers in addresses, bounded before they reach a query: a number no row can have (beyond
# what a PostgreSQL integer holds) is the "wrong address" page, never a failed query.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=0, le=MAX_ROW_ID)]
Year = Annotated[int, Path(ge=0, le=9999)]
ShownId = Annotated[int | None, Query(ge=0, le=MAX_ROW_ID)]  # a row a notice on the page is about

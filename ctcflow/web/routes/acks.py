"""Taking an escalated matter on from a page ("Vi tar det"): the form on the overview and on an
area's page posts here; a refusal is shown next to that form on the page it came from, with what
was typed kept; done, the page says so and the list shows who has it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ctcflow.access.permissions import Action, NotAllowed
from ctcflow.app.acks import acknowledge
from ctcflow.core.errors import Invalid
from ctcflow.core.refusals import REFUSALS
from ctcflow.web.deps import DbSession, FormViewer, WebState
from ctcflow.web.forms import FieldError, field_error
from ctcflow.web.rendering import lang_of, root
from ctcflow.web.routes.area import area_view
from ctcflow.web.routes.overview import overview_view

router = APIRouter()
FormText = Annotated[str, Form()]


@router.post("/kvittera")
def take_it_on(request: Request, web: WebState, viewer: FormViewer, session: DbSession, topic: FormText = "",
               plan: FormText = "",
               until: FormText = "", back: FormText = "oversikt") -> Response:
    area_id = back.removeprefix("omrade/") if back.startswith("omrade/") else None
    if area_id:
        viewer.require(web.defs, Action.VIEW_AREA, area_id)
    else:
        viewer.require(web.defs, Action.VIEW_CITY, refused="central_only")
    try:
        try:
            day: date | None = date.fromisoformat(until.strip())
        except ValueError:
            day = None  # said next to the field, after what is asked first
        done = acknowledge(topic, by=viewer.person.id, plan=plan, until=day, as_of=web.today(), scope=viewer.scope,
                           defs=web.defs, settings=web.settings)
    except (Invalid, NotAllowed) as refused:
        if isinstance(refused, Invalid):
            error = field_error(request, web, viewer, refused)
            if refused.field == "topic":
                error = FieldError("form", error.text)
        else:
            error = FieldError("form", web.words(lang_of(request, viewer))(REFUSALS["not_on_ladder"]))
        extra: dict[str, Any] = {"ack_errors": {topic: error}, "ack_typed": {topic: {"plan": plan, "until": until}}}
        if area_id:
            return area_view(request, web, viewer, area_id, 422, session=session, **extra)
        return overview_view(request, web, viewer, 422, session=session, **extra)
    target = f"omrade/{area_id}" if area_id else "oversikt"
    return RedirectResponse(f"{root(request)}/{target}?kvitterat={quote(done.ack.topic)}#eskalerat", status_code=303)

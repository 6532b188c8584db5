"""An area's page — what to do now, each open phase's milestones, the gate — and what is done
from it: a milestone marked done with evidence, undone after a confirmation, a phase approved.
A refusal is shown next to the form it concerns, with what was typed kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from ctcflow.access.permissions import Action, BeyondLink, NotAllowed
from ctcflow.app import area_page, pages, progress
from ctcflow.app.acks import open_things
from ctcflow.app.feeds import current_feed, renew_feed
from ctcflow.core.errors import CtcError, Invalid
from ctcflow.core.refusals import REFUSALS
from ctcflow.core.words import N_, Words
from ctcflow.engine.gates import GateStatus
from ctcflow.engine.instances import Refused
from ctcflow.engine.todo import Task
from ctcflow.web.acks import ack_context
from ctcflow.web.context import Web
from ctcflow.web.deps import AreaForm, AreaViewer, DbSession, RowId, ShownId, Viewer, WebState, let_go
from ctcflow.web.errors import PageError
from ctcflow.web.forms import FieldError, field_error
from ctcflow.web.history import describe
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.terms import ORDINALS
from ctcflow.web.uploads import Staged, kept_for_page, kept_of_form, staged_evidence

router = APIRouter()
FormText = Annotated[str, Form()]


CHANGED_MEANWHILE = N_("The page had changed meanwhile. Reload it and look again.")
# a refusal of the rule, by what was being done: who does it instead
NOT_YOURS = {"not_marked": "milestone_role", "not_undone": "milestone_role", "not_approved": "approver_only",
             "not_closed": "coordinator_only"}


@contextmanager
def refusals_as_pages(web: Web, lang: str, heading: str = "not_marked",
                      passing: tuple[type[CtcError], ...] = ()) -> Iterator[None]:
    """What the application refuses, as the page that says so under a ``heading`` that fits what
    was being done (marking, undoing, approving, saving): not here (404), not yours (403 — or,
    for a session opened from a link, not what the link is about), not now (409, the reason in
    the reader's words — never the command line's sentence with its ids). ``passing``: refusals
    the route shows on its own form."""
    try:
        yield
    except passing:
        raise
    except progress.NotInArea:
        raise PageError(404, "not_found") from None
    except BeyondLink:
        raise PageError(403, "link_scope") from None
    except NotAllowed:
        raise PageError(403, NOT_YOURS.get(heading, "other_area")) from None
    except Refused as exc:
        raise PageError(409, heading, refusal_text(web.words(lang), web.names(lang), exc)) from None
    except CtcError:  # a state the page did not show any more: said without the log's notation
        raise PageError(409, heading, web.words(lang)(CHANGED_MEANWHILE)) from None


def form_shown_again(failure: BaseException) -> bool:
    """A refusal after which the milestone's form is offered again (its document kept for the
    next try) — not one that says the milestone is done, approved or gone."""
    return isinstance(failure, Invalid) or (isinstance(failure, Refused)
                                            and failure.reason in ("evidence_required", "waiting"))


def refusal_text(words: Words, names: dict[str, dict[str, str]], exc: Refused) -> str:
    milestones = ", ".join(names["milestone"].get(m, m) for m in exc.names)
    people = ", ".join(names["person"].get(p, p) for p in exc.names)
    return words(REFUSALS[exc.reason]).format(names=milestones, who=people)


def area_view(request: Request, web: WebState, viewer: Viewer, area_id: str, status: int = 200, *,
              session: Session, history_page: int = 1, **extra: Any) -> HTMLResponse:
    """The area's page; ``extra`` carries a form's errors and what was typed into it."""
    lang = lang_of(request, viewer)
    words, names = web.words(lang), web.names(lang)
    data = area_page.area_page(session, web.defs, area_id, web.today(), lang, history_page=history_page)
    reports = pages.reports_shown(session, web.today(), drafts=False,
                                  scopes=lambda scope: scope in (area_id, "city"))[:10]
    let_go(session)
    if data is None:
        raise PageError(404, "not_found")

    def can_mark(task: Task) -> bool:
        return viewer.may(web.defs, Action.CHANGE_MILESTONE, area_id, role=task.status.owner,
                          subject=task.status.instance_id)

    def may_approve(gate: GateStatus) -> bool:
        return viewer.may(web.defs, Action.APPROVE_GATE, area_id, role=gate.approver_role)

    def cycle_words(block: area_page.PhaseBlock) -> str:
        ordinal = words(ORDINALS[min(block.cycle, len(ORDINALS)) - 1])
        text = words("{ordinal} round, since {day}").format(ordinal=ordinal, day=block.opened_on.isoformat())
        return text + (words(", after the {wave} survey").format(wave=block.after_wave) if block.after_wave else "")

    feed = current_feed(web.settings, viewer.person.id, area_id)
    _, escalations = open_things(web.today(), [area_id], defs=web.defs, settings=web.settings)
    acks: dict[str, Any] = {k: extra.pop(k) for k in ("ack_errors", "ack_typed", "taken") if k in extra}
    context: dict[str, Any] = {"errors": {}, "typed": {}, "opened": None, "open_all": False, "flash_done": None,
                               "flash_undone": None, "flash_approved": None, "flash_feed": False,
                               "flash_recorded": None, "flash_closed": None, "escalations": escalations,
                               **ack_context(web, viewer, escalations, lang, acks), **extra}
    return page(request, "omrade", viewer, status, data=data, n=names, reports=reports, history_page=history_page,
                history=[describe(e, names, words) for e in data.history],
                can_change=viewer.may(web.defs, Action.RECORD_AREA_WORK, area_id), can_mark=can_mark,
                may_close=viewer.may(web.defs, Action.CLOSE_MILESTONE, area_id),
                may_approve=may_approve, cycle_words=cycle_words,
                feed=web.links.feed(viewer.person.id, area_id, feed.jti, feed.expires),
                **context)


@router.get("/omrade/{area_id}")
def area(request: Request, web: WebState, viewer: AreaViewer, session: DbSession, area_id: str, klar: ShownId = None,
         angrad: ShownId = None, godkand: str | None = None, m: ShownId = None,
         kalender: str | None = None, kvitterat: str | None = None,
         historik: Annotated[int, Query(ge=1, le=100_000)] = 1, stangd: ShownId = None) -> HTMLResponse:
    return area_view(request, web, viewer, area_id, session=session, flash_done=klar, flash_undone=angrad,
                     flash_approved=godkand, opened=m, flash_feed=bool(kalender), taken=kvitterat,
                     history_page=historik, flash_closed=stangd)


@router.post("/omrade/{area_id}/klar/{instance_id}")
def mark(request: Request, web: WebState, viewer: AreaForm, session: DbSession, area_id: str, instance_id: RowId,
         note: FormText = "", link: FormText = "", kept: FormText = "", drop_kept: FormText = "",
         document: Annotated[UploadFile | None, File()] = None) -> Response:
    """Done, with the evidence: the document is recorded only if the milestone is marked; a
    refused form keeps it for the next try (its name shown)."""
    lang = lang_of(request, viewer)
    staged = Staged()
    chosen_before = kept_of_form(web.key, viewer.jti, area_id, kept, drop_kept)
    try:
        with refusals_as_pages(web, lang, passing=(Refused, Invalid)), \
                staged_evidence(web.settings, link, document, chosen_before, keep_on=form_shown_again, into=staged):
            progress.mark_instance(web.defs, web.settings, area_id, instance_id, by=viewer.person.id,
                                   as_of=web.today(), evidence=staged.evidence, note=note.strip() or None,
                                   scope=viewer.scope)
    except (Refused, Invalid) as refused:
        if isinstance(refused, Invalid):
            field, text = "evidence", field_error(request, web, viewer, refused).text
        else:
            field = "evidence" if refused.reason == "evidence_required" else "form"
            text = refusal_text(web.words(lang), web.names(lang), refused)
        return area_view(request, web, viewer, area_id, 422 if field == "evidence" else 409, session=session,
                         errors={instance_id: FieldError(field, text)},
                         typed={instance_id: {"note": note, "link": link,
                                              **kept_for_page(web.key, viewer.jti, area_id, staged)}},
                         opened=instance_id)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?klar={instance_id}#m-{instance_id}", status_code=303)


@router.post("/omrade/{area_id}/kalender")
def new_feed(request: Request, web: WebState, viewer: AreaForm, area_id: str) -> Response:
    """A new calendar link; the one given before (perhaps forwarded) stops working."""
    renew_feed(web.settings, viewer.person.id, area_id)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?kalender=ny#kalender", status_code=303)


@router.get("/omrade/{area_id}/angra/{instance_id}")
def confirm_undo(request: Request, web: WebState, viewer: AreaViewer, session: DbSession, area_id: str,
                 instance_id: RowId) -> HTMLResponse:
    """Undo asks first, and says whose work it reopens."""
    found = area_page.done_milestone(session, web.defs, area_id, instance_id, web.today())
    let_go(session)
    if found is None:
        raise PageError(404, "not_found")
    viewer.require(web.defs, Action.CHANGE_MILESTONE, area_id, role=found.owner, subject=instance_id,
                   refused="milestone_role")
    return page(request, "angra", viewer, m=found, area_id=area_id, n=web.names(lang_of(request, viewer)))


@router.post("/omrade/{area_id}/angra/{instance_id}")
def unmark(request: Request, web: WebState, viewer: AreaForm, area_id: str, instance_id: RowId,
           note: FormText = "") -> Response:
    with refusals_as_pages(web, lang_of(request, viewer), "not_undone"):
        progress.undo_instance(web.defs, web.settings, area_id, instance_id, by=viewer.person.id,
                               as_of=web.today(), note=note.strip() or None, scope=viewer.scope)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?angrad={instance_id}#m-{instance_id}",
                            status_code=303)


@router.post("/omrade/{area_id}/stang/{instance_id}")
def close(request: Request, web: WebState, viewer: AreaForm, session: DbSession, area_id: str, instance_id: RowId,
          reason: FormText = "") -> Response:
    """An item no longer relevant closed by the coordinator, with the reason the report shows."""
    try:
        with refusals_as_pages(web, lang_of(request, viewer), "not_closed", passing=(Invalid,)):
            progress.close_instance(web.defs, web.settings, area_id, instance_id, by=viewer.person.id,
                                    as_of=web.today(), reason=reason, scope=viewer.scope)
    except Invalid as exc:
        error = field_error(request, web, viewer, exc)
        return area_view(request, web, viewer, area_id, 422, session=session, errors={instance_id: error},
                         typed={instance_id: {"reason": reason}}, opened=instance_id)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?stangd={instance_id}#att-gora", status_code=303)


@router.post("/omrade/{area_id}/godkann/{phase_id}")
def approve(request: Request, web: WebState, viewer: AreaForm, area_id: str, phase_id: str,
            note: FormText = "", cycle: Annotated[int | None, Form()] = None) -> Response:
    with refusals_as_pages(web, lang_of(request, viewer), "not_approved"):
        progress.approve_phase(area_id, phase_id, by=viewer.person.id, as_of=web.today(), note=note.strip() or None,
                               cycle=cycle, scope=viewer.scope, defs=web.defs, settings=web.settings)
    return RedirectResponse(f"{root(request)}/omrade/{area_id}?godkand={phase_id}", status_code=303)

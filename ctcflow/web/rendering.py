"""Rendering a page: the viewer's language, the shared context every template gets, and how
evidence is shown (links stay links, uploaded files link to their download)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from ctcflow.access.permissions import Action
from ctcflow.core.evidence import pieces
from ctcflow.core.templating import in_language
from ctcflow.core.tokens import csrf_token
from ctcflow.report.archive import Archived, ArchivedReport
from ctcflow.report.delivery_words import summary
from ctcflow.web.deps import Viewer, get_web
from ctcflow.web.refusal import FieldError

LANG_COOKIE = "ctc_lang"


def root(request: Request) -> str:
    """The path the app is mounted under behind a reverse proxy ('' when it is not)."""
    return str(request.scope.get("root_path", ""))


def lang_of(request: Request, viewer: Viewer | None = None) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in ("sv", "en"):
        return asked
    return viewer.person.lang if viewer else get_web(request).settings.lang


def refusals_in(context: dict[str, Any]) -> list[FieldError]:
    """Every refusal a page is given (``errors``, ``ack_errors``, … keyed by form), for the
    summary at its top: said even where the form has no place beside the field for it."""
    return [error for value in context.values() if isinstance(value, dict)
            for error in value.values() if isinstance(error, FieldError)]


def page(request: Request, name: str, viewer: Viewer | None, status: int = 200, **context: Any) -> HTMLResponse:
    web = get_web(request)
    lang = lang_of(request, viewer)
    words = web.words(lang)
    board = next(iter(web.defs.process.reports), None)

    def report_title(report: Archived | ArchivedReport) -> str:
        """"Rapport till kommunstyrelsen (svenska)", "Områdesrapport för Bellevuegården (engelska)"."""
        if report.scope == "city":
            found = next((r for r in web.defs.process.reports if r.id == report.report_id), None)
            title = found.title.get(lang) if found else report.report_id
        else:
            title = words("Area report for {area}").format(area=web.defs.name("area", report.scope, lang))
        return f"{title} ({web.terms(lang)['lang_names'].get(report.lang, report.lang)})"

    def in_language_href(other: str) -> str:
        """The same page in the other language: what the page was showing (its filters, the
        milestone opened) is kept — only ``lang`` changes."""
        return "?" + urlencode([*((k, v) for k, v in request.query_params.multi_items() if k != "lang"),
                                ("lang", other)])

    def report_state(report: ArchivedReport) -> str:
        """Where an archived report's sending stands: "Skickad" only once the servers accepted it."""
        return summary(report.sending, report.sent_on, None, web.today(), lang)

    html = web.env.get_template(f"web/{name}.html.j2").render(
        **in_language(lang), terms=web.terms(lang), viewer=viewer, today=web.today(), base=root(request),
        csrf=csrf_token(web.key, viewer.jti) if viewer else "", path=request.url.path,
        municipality=web.defs.org.municipality, brand=web.defs.org.sender_name, evidence=evidence_href,
        report_title=report_title,
        report_state=report_state, in_language_href=in_language_href,
        sending_words=lambda sending: summary(sending, web.today(), None, web.today(), lang),
        board_report_id=board.id if board else "",
        definitions_problem=web.definitions_problem if viewer and viewer.may(web.defs, Action.MANAGE_PEOPLE)
        else None,
        menu={"overview": bool(viewer and viewer.may(web.defs, Action.VIEW_CITY)),
              "surveys": bool(viewer and viewer.may(web.defs, Action.IMPORT_SURVEY)),
              "people": bool(viewer and viewer.may(web.defs, Action.MANAGE_PEOPLE)),
              "costs": bool(viewer and viewer.may(web.defs, Action.RECORD_COSTS)),
              # the same question the report page asks before it shows the paper to send
              "board_report": bool(board and viewer and viewer.may(web.defs, Action.SEND_REPORT, role=board.owner))},
        sso=(web.settings.oidc_label or words("the city's account")) if web.sso else "",
        refused=refusals_in(context), **context)
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in ("sv", "en"):
        response.set_cookie(LANG_COOKIE, lang, httponly=True, secure=True, samesite="lax")
    return response


def evidence_href(base: str, area_id: str, evidence: str) -> list[tuple[str, str]]:
    """The evidence as (text, href) pieces: links stay links, uploaded files link to their
    download under the area (which is what decides who may fetch them)."""
    parts = []
    for text, sha in pieces(evidence):
        if sha is not None:
            parts.append((text, f"{base}/omrade/{area_id}/bevis/{sha}?namn={quote(text)}"))
        elif text.startswith(("http://", "https://")):
            parts.append((text, text))
        else:
            parts.append((text, ""))
    return parts

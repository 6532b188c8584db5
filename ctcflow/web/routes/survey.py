"""The analysis function's survey upload: a wave's export (CSV or Excel) read, screened and
analysed all or nothing, as on the command line — a file with problems imports nothing and the
page lists each problem by row and column. The upload is bounded before it is read, and the
file is not kept (the survey is anonymous; its published figures are what is stored)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import survey
from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.core.tables import SeveralSheets
from ctcflow.core.words import say
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState
from ctcflow.web.forms import FieldError, field_error, file_problems, sheet_refusal
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.uploads import MAX_UPLOAD, received_table

router = APIRouter()
FormText = Annotated[str, Form()]


def survey_view(request: Request, web: WebState, viewer: Viewer, status: int = 200, **extra: Any) -> HTMLResponse:
    viewer.require(web.defs, Action.IMPORT_SURVEY, refused="survey_only")
    waves = sorted(survey.survey_waves(), key=lambda w: w.wave.id, reverse=True)
    context: dict[str, Any] = {"errors": {}, "typed": {}, "problems": [], "imported": None, "more": 0, "file_name": "",
                               "sheets": [], "losing": False, **extra}
    lang = lang_of(request, viewer)
    return page(request, "enkater", viewer, status, waves=waves, max_mb=MAX_UPLOAD // 2**20,
                comparison_name=lambda kind: survey.comparison_words(kind, lang)["head"], **context)


@router.get("/enkater")
def surveys(request: Request, web: WebState, viewer: SignedIn, importerad: str | None = None) -> HTMLResponse:
    return survey_view(request, web, viewer, imported=importerad)


@router.post("/enkater")
def upload(request: Request, web: WebState, viewer: FormViewer, wave: FormText = "", replace: FormText = "",
           sheet: FormText = "", accept_loss: FormText = "",
           document: Annotated[UploadFile | None, File()] = None) -> Response:
    viewer.require(web.defs, Action.IMPORT_SURVEY, refused="survey_only")
    wave = wave.strip()
    try:
        if not survey.WAVE_ID.match(wave):
            raise Invalid("wave", "wave_name", f"'{wave}' is not a wave's name")
        if not replace and any(w.wave.id == wave for w in survey.survey_waves()):
            raise Invalid("wave", "wave_exists", f"wave {wave} is already imported")
        with received_table(document) as path:
            # replacing an imported wave is one answer; replacing it with less, a second
            survey.import_wave(wave, path, web.today(), by=viewer.person.id, sheet=sheet or None,
                               replace=accept_loss == "1")
    except SeveralSheets as exc:  # which sheet is the importer's to say: a chooser, the file again
        return survey_view(request, web, viewer, 422, errors={"upload": sheet_refusal(request, viewer)},
                           typed={"wave": wave}, sheets=exc.sheets)
    except survey.WouldLoseData as exc:  # said where, before anything is written
        lang = lang_of(request, viewer)
        lost = "; ".join(lost_in_words(loss, exc.name, lang) for loss in exc.losses)
        said = say(lang, "The file would replace the survey with less: {lost}. Nothing was imported. Check that it is "
                   "the whole export; to replace the survey anyway, tick the box and choose the file again.", lost=lost)
        return survey_view(request, web, viewer, 409, errors={"upload": FieldError("document", said)},
                           typed={"wave": wave}, losing=True)
    except InputFileError as exc:
        return survey_view(request, web, viewer, 422, **file_problems(exc), typed={"wave": wave},
                           file_name=exc.path.name)
    except Invalid as exc:
        return survey_view(request, web, viewer, 422, errors={"upload": field_error(request, web, viewer, exc)},
                           typed={"wave": wave})
    except CtcError as exc:  # a file that cannot be read at all
        return survey_view(request, web, viewer, 422, errors={"upload": FieldError("document", str(exc))},
                           typed={"wave": wave})
    return RedirectResponse(f"{root(request)}/enkater?importerad={wave}", status_code=303)


def lost_in_words(loss: survey.Loss, name: Callable[[str], str], lang: str) -> str:
    """'Hermodsdal: 80 av 812 svar' / 'every answer from Hermodsdal' in the reader's language."""
    place = name(loss.where) if loss.where else say(lang, "the survey")
    if loss.has == 0:
        return say(lang, "every answer from {place}", place=place)
    return say(lang, "{place}: {gone} of {had} answers", place=place, gone=loss.had - loss.has, had=loss.had)

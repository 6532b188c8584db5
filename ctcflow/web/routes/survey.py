"""The analysis function's survey upload: a wave's export (CSV or Excel) read, screened and
analysed all or nothing, as on the command line — a file with problems imports nothing and the
page lists each problem by row and column. The upload is bounded before it is read, and the
file is not kept (the survey is anonymous; its published figures are what is stored)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import survey
from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState
from ctcflow.web.forms import FieldError, field_error, file_problems
from ctcflow.web.rendering import page, root
from ctcflow.web.uploads import MAX_UPLOAD, received_table

router = APIRouter()
FormText = Annotated[str, Form()]


def survey_view(request: Request, web: WebState, viewer: Viewer, status: int = 200, **extra: Any) -> HTMLResponse:
    viewer.require(web.defs, Action.IMPORT_SURVEY, refused="survey_only")
    waves = sorted(survey.survey_waves(), key=lambda w: w.id, reverse=True)
    context: dict[str, Any] = {"errors": {}, "typed": {}, "problems": [], "imported": None, "more": 0, "file_name": "",
                               **extra}
    return page(request, "enkater", viewer, status, waves=waves, max_mb=MAX_UPLOAD // 2**20, **context)


@router.get("/enkater")
def surveys(request: Request, web: WebState, viewer: SignedIn, importerad: str | None = None) -> HTMLResponse:
    return survey_view(request, web, viewer, imported=importerad)


@router.post("/enkater")
def upload(request: Request, web: WebState, viewer: FormViewer, wave: FormText = "", replace: FormText = "",
           document: Annotated[UploadFile | None, File()] = None) -> Response:
    viewer.require(web.defs, Action.IMPORT_SURVEY, refused="survey_only")
    wave = wave.strip()
    try:
        if not survey.WAVE_ID.match(wave):
            raise Invalid("wave", "wave_name", f"'{wave}' is not a wave's name")
        if not replace and any(w.id == wave for w in survey.survey_waves()):
            raise Invalid("wave", "wave_exists", f"wave {wave} is already imported")
        with received_table(document) as path:
            survey.import_wave(wave, path, web.today(), by=viewer.person.id)
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

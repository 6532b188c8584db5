"""The analysis function's survey upload: a wave's export (CSV or Excel) read, screened and
analysed all or nothing, as on the command line — a file with problems imports nothing and the
page lists each problem by row and column. The upload is bounded before it is read, and the
file is not kept (the survey is anonymous; its published figures are what is stored)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import survey
from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState
from ctcflow.web.errors import PageError
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.routes.area import FieldError
from ctcflow.web.uploads import MAX_UPLOAD, received_table

router = APIRouter()
FormText = Annotated[str, Form()]
WAVE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,19}$")


def survey_view(request: Request, web: WebState, viewer: Viewer, status: int = 200, **extra: Any) -> HTMLResponse:
    if not viewer.may(web.defs, Action.IMPORT_SURVEY):
        raise PageError(403, "survey_only")
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
    if not viewer.may(web.defs, Action.IMPORT_SURVEY):
        raise PageError(403, "survey_only")
    wave = wave.strip()
    folder = Path(tempfile.mkdtemp(prefix="ctc-enkat-"))
    try:
        if not WAVE.match(wave):
            raise Invalid("wave", "wave_name", f"'{wave}' is not a wave's name")
        if not replace and any(w.id == wave for w in survey.survey_waves()):
            raise Invalid("wave", "wave_exists", f"wave {wave} is already imported")
        survey.import_wave(wave, received_table(document, folder), web.today(), by=viewer.person.id)
    except InputFileError as exc:
        shown = exc.problems[:InputFileError.MAX_SHOWN]
        return survey_view(request, web, viewer, 422, problems=shown, more=len(exc.problems) - len(shown),
                           typed={"wave": wave}, file_name=Path(document.filename or "").name if document else "")
    except Invalid as exc:
        error = FieldError(exc.field, str(web.words(lang_of(request, viewer))["invalid"][exc.reason]))
        return survey_view(request, web, viewer, 422, errors={"upload": error}, typed={"wave": wave})
    except CtcError as exc:  # a file that cannot be read at all
        error = FieldError("document", str(exc).replace(str(folder) + "/", ""))
        return survey_view(request, web, viewer, 422, errors={"upload": error}, typed={"wave": wave})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return RedirectResponse(f"{root(request)}/enkater?importerad={wave}", status_code=303)

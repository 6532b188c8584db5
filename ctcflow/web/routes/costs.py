"""CTC's costs, for the central coordinator (and the chief): what is recorded per year, area and
administration, one cost entered by hand, or a sheet (CSV or Excel) imported all or nothing —
a sheet with problems imports nothing and the page lists them by row and column."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ctcflow.access.permissions import Action
from ctcflow.app import records
from ctcflow.core.errors import CtcError, InputFileError, Invalid
from ctcflow.core.tables import SeveralSheets
from ctcflow.core.words import say
from ctcflow.web.deps import FormViewer, SignedIn, Viewer, WebState
from ctcflow.web.forms import FieldError, field_error, file_problems, sheet_refusal
from ctcflow.web.rendering import lang_of, page, root
from ctcflow.web.uploads import MAX_UPLOAD, received_table

router = APIRouter()
FormText = Annotated[str, Form()]


def costs_view(request: Request, web: WebState, viewer: Viewer, status: int = 200, **extra: Any) -> HTMLResponse:
    viewer.require(web.defs, Action.RECORD_COSTS, refused="coordinator_only")
    rows = records.cost_table(None, web.defs, web.settings)
    years: dict[int, int] = {}
    for year, _, _, ore in rows:
        years[year] = years.get(year, 0) + ore
    context: dict[str, Any] = {"errors": {}, "typed": {}, "problems": [], "more": 0, "file_name": "",
                               "saved": None, "replacing": [], "sheets": [], **extra}
    entries, entry_count = records.cost_list(web.settings)
    return page(request, "kostnader", viewer, status, rows=rows, years=years, kronor=records.kronor,
                entries=entries, entry_count=entry_count,
                administrations=web.defs.org.administrations, areas=web.defs.org.areas,
                n=web.names(lang_of(request, viewer)), max_mb=MAX_UPLOAD // 2**20, **context)


@router.get("/kostnader")
def costs(request: Request, web: WebState, viewer: SignedIn, sparat: str | None = None) -> HTMLResponse:
    return costs_view(request, web, viewer, saved=sparat)


def refused(request: Request, web: WebState, viewer: Viewer, where: str, exc: Invalid,
            typed: dict[str, str]) -> HTMLResponse:
    return costs_view(request, web, viewer, 422, errors={where: field_error(request, web, viewer, exc)},
                      typed={where: typed})


@router.post("/kostnader/ny")
def add(request: Request, web: WebState, viewer: FormViewer, year: FormText = "", administration: FormText = "",
        area: FormText = "", amount: FormText = "", category: FormText = "", note: FormText = "") -> Response:
    viewer.require(web.defs, Action.RECORD_COSTS, refused="coordinator_only")
    typed = {"year": year, "administration": administration, "area": area, "amount": amount,
             "category": category, "note": note}
    try:
        if not year.strip().isdigit():
            raise Invalid("year", "cost_year", "not a year")
        records.cost_add(defs=web.defs, settings=web.settings, year=int(year), administration=administration,
                         amount=amount, area_id=area or None, category=category.strip() or None,
                         note=note.strip() or None, by=viewer.person.id, as_of=web.today(), source="webben")
    except Invalid as exc:
        return refused(request, web, viewer, "add", exc, typed)
    return RedirectResponse(f"{root(request)}/kostnader?sparat=kostnad#kostnader", status_code=303)


@router.post("/kostnader/fil")
def upload(request: Request, web: WebState, viewer: FormViewer,
           document: Annotated[UploadFile | None, File()] = None, replace: FormText = "",
           sheet: FormText = "") -> Response:
    viewer.require(web.defs, Action.RECORD_COSTS, refused="coordinator_only")
    try:
        with received_table(document) as path:
            result = records.cost_import(path, by=viewer.person.id, as_of=web.today(), defs=web.defs,
                                         settings=web.settings, replace=replace == "1", sheet=sheet or None)
    except SeveralSheets as exc:  # which sheet is the importer's to say: a chooser, the file again
        return costs_view(request, web, viewer, 422, errors={"file": sheet_refusal(request, viewer)},
                          sheets=exc.sheets)
    except records.WouldReplaceCosts as exc:  # said before anything is written: which costs, from what to what
        said = say(lang_of(request, viewer), "The sheet gives costs already recorded. Nothing was imported: "
                   "choose the file again and tick the box to replace them.")
        return costs_view(request, web, viewer, 409, errors={"file": FieldError("document", said)},
                          replacing=exc.replacing, file_name=exc.path.name)
    except InputFileError as exc:
        return costs_view(request, web, viewer, 422, **file_problems(exc), file_name=exc.path.name)
    except Invalid as exc:
        return refused(request, web, viewer, "file", exc, {})
    except CtcError as exc:  # a sheet that cannot be read at all, or one without rows
        return costs_view(request, web, viewer, 422, errors={"file": FieldError("document", str(exc))})
    return RedirectResponse(f"{root(request)}/kostnader?sparat=fil-{result.rows}-{result.replaced}#kostnader",
                            status_code=303)

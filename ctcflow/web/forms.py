"""What every form's page does with a refusal: an Invalid shown next to its field in the
reader's language, and a refused file's problems listed (as many as are shown)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ctcflow.core.errors import InputFileError, Invalid
from ctcflow.core.refusals import INVALID
from ctcflow.core.words import say
from ctcflow.web.context import Web
from ctcflow.web.deps import Viewer
from ctcflow.web.refusal import FieldError as FieldError  # the routes refuse with it
from ctcflow.web.rendering import lang_of


def field_error(request: Request, web: Web, viewer: Viewer, exc: Invalid) -> FieldError:
    return FieldError(exc.field, web.words(lang_of(request, viewer))(INVALID[exc.reason]))


def sheet_refusal(request: Request, viewer: Viewer) -> FieldError:
    """A workbook with data on several sheets, next to the file field: the page offers the
    sheets (``sheet_chooser``) and the file is chosen again."""
    return FieldError("document", say(lang_of(request, viewer), "The workbook has data on several sheets. Choose "
                                      "the sheet and the file again."))


def file_problems(exc: InputFileError) -> dict[str, Any]:
    """The page's problem list: the first MAX_SHOWN, and how many more there are."""
    shown = exc.problems[:InputFileError.MAX_SHOWN]
    return {"problems": shown, "more": len(exc.problems) - len(shown)}

"""The few files the pages load besides themselves (a script may not be inline under the
content security policy): read once from the templates folder, served with their type."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from ctcflow.web.deps import WebState
from ctcflow.web.errors import PageError

router = APIRouter()
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


@cache
def _read(folder: Path, name: str) -> bytes | None:
    path = folder / name
    return path.read_bytes() if path.suffix in TYPES and path.is_file() else None


@router.get("/static/{name}")
def static_file(web: WebState, name: str) -> Response:
    content = _read(web.settings.templates_dir / "web" / "static", Path(name).name)
    if content is None:
        raise PageError(404, "not_found")
    return Response(content, media_type=TYPES[Path(name).suffix])

"""Evidence files uploaded with a milestone: kept once under their SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fastapi import UploadFile

from ctcflow.web.errors import PageError

MAX_UPLOAD = 25 * 2**20


def store_upload(folder: Path, document: UploadFile) -> str:
    """Keep the file under its SHA-256 (the same document twice is stored once); the evidence
    names it by hash and file name."""
    digest = hashlib.sha256()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as out:
        size = 0
        while chunk := document.file.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                out.close()
                os.unlink(out.name)
                raise PageError(413, "too_big")
            digest.update(chunk)
            out.write(chunk)
    sha = digest.hexdigest()
    os.replace(out.name, folder / sha)
    name = Path(document.filename or "underlag").name
    return f"fil:{sha}:{name}"

"""How evidence is written down: one text of pieces joined by SEPARATOR — a web address, a
document reference typed on the command line, or a stored file as ``fil:<sha256>:<name>``. The
pages split it again to show links and downloads; the download asks which area names the file."""

from __future__ import annotations

SEPARATOR = " · "
FILE_PREFIX = "fil:"


def file_reference(sha: str, name: str) -> str:
    return f"{FILE_PREFIX}{sha}:{name}"


def file_marker(sha: str) -> str:
    """What an evidence text that names this file contains (to find it in the tables)."""
    return f"{FILE_PREFIX}{sha}:"


def pieces(evidence: str) -> list[tuple[str, str | None]]:
    """(text, sha) per piece: the file's name and hash for a stored file, else (text, None)."""
    found: list[tuple[str, str | None]] = []
    for piece in evidence.split(SEPARATOR):
        if piece.startswith(FILE_PREFIX) and piece.count(":") >= 2:
            _, sha, name = piece.split(":", 2)
            found.append((name, sha))
        else:
            found.append((piece, None))
    return found

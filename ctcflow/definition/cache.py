"""Definitions validated once per change, not once per process.

A big city's areas.yml is megabytes: parsing and validating it costs seconds, and every CLI
command, flow run and web start needs it. The validated result is kept twice, both keyed by a
hash of the files' bytes and of the code that validates them (so an edit to a file, or an upgrade,
is a new key and nothing stale is ever used):

- in this process, so a flow whose tasks each ask for the definitions parses nothing twice;
- in ``<data_dir>/cache/``, so the next process reads one pickle instead of the YAML.

Only definitions that passed every check are stored; a file with problems is validated (and
refused, with its lines) every time. The cache is the operator's own data directory, as trusted
as the database beside it; anything unreadable there is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from ctcflow.core.gcpause import cyclic_gc_paused

T = TypeVar("T")
KEPT_IN_PROCESS = 4  # a few cities' definitions (tests and the demo switch between them)
PREFIX = "definitions-"


@lru_cache(maxsize=1)
def code_fingerprint() -> bytes:
    """The source of the package that parses and validates definitions: a change to it makes
    every cached result stale."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def key_of(files: Sequence[Path]) -> str | None:
    """The hash of the files' paths and bytes (and of the code); None when one cannot be read —
    then nothing is cached and the loader reports what is wrong."""
    digest = hashlib.sha256(code_fingerprint())
    for path in files:
        try:
            content = path.read_bytes()
        except OSError:
            return None
        digest.update(str(path).encode() + b"\0" + len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()[:32]


_in_process: dict[str, object] = {}


def cached(files: Sequence[Path], folder: Path, build: Callable[[], T]) -> T:
    """``build()``'s result for these files: from this process, else from ``folder``, else built
    (and then kept in both). ``build`` raises for files that do not validate; nothing is kept."""
    key = key_of(files)
    if key is None:
        return build()
    if key in _in_process:
        return _in_process[key]  # type: ignore[return-value]
    value = _read(folder / f"{PREFIX}{key}.pickle")
    if value is None:
        with cyclic_gc_paused():
            value = build()
        _write(folder, key, value)
    if len(_in_process) >= KEPT_IN_PROCESS:
        _in_process.pop(next(iter(_in_process)))
    _in_process[key] = value
    return value  # type: ignore[return-value]


def forget() -> None:
    """Drop what this process holds (the files on disk are keyed by content and stay valid)."""
    _in_process.clear()


def _read(path: Path) -> object | None:
    try:
        with path.open("rb") as handle, cyclic_gc_paused():  # a big city is ~10⁵ objects: 4× faster
            loaded: object = pickle.load(handle)  # noqa: S301 - written by this code into the operator's data dir
            return loaded
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def _write(folder: Path, key: str, value: object) -> None:
    """Atomically (a reader never sees half a file), replacing older results; a data directory
    that cannot be written to only costs the next process a parse."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as handle:
            try:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                Path(handle.name).unlink(missing_ok=True)
                raise
        os.replace(handle.name, folder / f"{PREFIX}{key}.pickle")
        for old in folder.glob(f"{PREFIX}*.pickle"):
            if old.name != f"{PREFIX}{key}.pickle":
                old.unlink(missing_ok=True)
    except OSError:
        return

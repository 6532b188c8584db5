"""What every use case starts from: the definitions, loaded and checked, and a database whose
schema this code knows."""

from __future__ import annotations

from ctcflow.definition.loader import Definitions, load_definitions
from db.engine import require_current_schema


def ready() -> Definitions:
    defs = load_definitions()
    require_current_schema()
    return defs

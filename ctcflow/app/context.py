"""What every use case starts from: the definitions, loaded and checked, and a database whose
schema this code knows."""

from __future__ import annotations

from ctcflow.app.people import current_definitions
from ctcflow.definition.loader import Definitions
from db.engine import require_current_schema


def ready() -> Definitions:
    defs = current_definitions()
    require_current_schema()
    return defs

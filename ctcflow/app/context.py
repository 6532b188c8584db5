"""What every use case starts from: the definitions, loaded and checked, and a database whose
schema this code knows."""

from __future__ import annotations

from ctcflow.app.people import current_definitions
from ctcflow.core.config import Settings
from ctcflow.definition.loader import Definitions
from db.engine import require_current_schema


def ready(settings: Settings | None = None) -> Definitions:
    """The definitions of the tenant acted for (``settings``: given explicitly, as the web's are)."""
    defs = current_definitions(settings)
    require_current_schema(settings)
    return defs

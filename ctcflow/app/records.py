"""Use cases of what is recorded for the report: costs and the mandated themes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ctcflow.app.context import ready
from ctcflow.core.config import Settings
from ctcflow.definition.loader import Definitions
from ctcflow.engine.instances import known_area
from ctcflow.records.cost_import import CostImport, import_costs
from ctcflow.records.cost_import import WouldReplaceCosts as WouldReplaceCosts  # the pages answer it
from ctcflow.records.ledger import add_cost, add_mandate_entry, cost_entries, cost_totals, mandate_entries
from ctcflow.records.ledger import kronor as kronor  # the pages show amounts as the report does
from db.engine import session_scope
from db.models import MandateEntry


def cost_import(path: Path, *, by: str, as_of: date, defs: Definitions | None = None,
                settings: Settings | None = None, sheet: str | None = None, replace: bool = False) -> CostImport:
    defs = defs or ready()
    with session_scope(settings) as session:
        return import_costs(session, defs, path, by=by, as_of=as_of, sheet=sheet, replace=replace)


def cost_add(defs: Definitions | None = None, settings: Settings | None = None, **fields: Any) -> None:
    defs = defs or ready()
    with session_scope(settings) as session:
        add_cost(session, defs, **fields)


def cost_table(years: list[int] | None, defs: Definitions | None = None,
               settings: Settings | None = None) -> list[tuple[int, str | None, str, int]]:
    if defs is None:
        ready()
    with session_scope(settings) as session:
        return cost_totals(session, years)


def cost_list(settings: Settings, limit: int = 100) -> tuple[list[Any], int]:
    """The newest cost entries with category and note, and how many there are."""
    with session_scope(settings) as session:
        rows, total = cost_entries(session, limit)
        session.expunge_all()
        return rows, total


def mandate_add(area_id: str, kind: str, **fields: Any) -> None:
    defs = ready()
    with session_scope() as session:
        known_area(session, defs, area_id, retired_too=True)
        add_mandate_entry(session, defs, area_id, kind, **fields)


def mandate_list(area_id: str | None, kind: str | None) -> list[MandateEntry]:
    ready()
    with session_scope() as session:
        return mandate_entries(session, area_id, kind)


def theme_entry(defs: Definitions, settings: Settings, area_id: str, kind: str, *, happened_on: date,
                description: str, evidence: str | None, by: str, as_of: date) -> None:
    """The web's entry on a mandated theme (with the app's definitions)."""
    with session_scope(settings) as session:
        add_mandate_entry(session, defs, area_id, kind, happened_on=happened_on, description=description,
                          evidence=evidence, by=by, as_of=as_of)


def area_entries(settings: Settings, area_id: str) -> list[MandateEntry]:
    with session_scope(settings) as session:
        entries = mandate_entries(session, area_id, None)
        session.expunge_all()
    return entries

"""What the report to KS needs that no other part records: annual costs per administration and
area, and the entries on the mandated themes (resident participation, gender mainstreaming,
racism and sexism). Imports are all or nothing, with every problem named by row and column."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import CtcError, InputFileError, Invalid, Problem
from ctcflow.core.folding import fold
from ctcflow.core.tables import read_table
from ctcflow.definition.loader import Definitions
from ctcflow.definition.process import THEMES
from ctcflow.engine.eventlog import NewEvent, record
from db.engine import rows_affected
from db.models import CostEntry, MandateEntry

# Header names as ``fold`` leaves them ('År' → 'ar', 'Förvaltning' → 'forvaltning').
COST_COLUMNS = {"ar": "year", "year": "year", "omrade": "area", "area": "area",
                "forvaltning": "administration", "administration": "administration",
                "belopp": "amount", "belopp (kr)": "amount", "kostnad": "amount", "amount": "amount",
                "kategori": "category", "category": "category", "kommentar": "note", "note": "note"}
AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")


def parse_amount(text: str) -> int | None:
    """'1 250 000,50 kr', '1250000.5', '1\u00a0250 000' → öre; None when it is not an amount."""
    cleaned = re.sub(r"[\s\u00a0]|kr$|sek$", "", text.strip().lower()).replace(",", ".")
    if not AMOUNT.match(cleaned):
        return None
    kronor, _, ore = cleaned.partition(".")
    sign = -1 if kronor.startswith("-") else 1
    return sign * (abs(int(kronor)) * 100 + int((ore + "00")[:2]))


MAX_ORE = 1_000_000_000 * 100  # no CTC cost line is a billion kronor: a bigger one is a typing slip


def amount_refusal(amount_ore: int) -> str | None:
    """Why an amount cannot be a cost line, or None: one rule for the sheet and the form."""
    if amount_ore < 0:
        return "is negative; costs are recorded as positive amounts (a corrected sheet replaces the earlier one)"
    if amount_ore > MAX_ORE:
        return "is more than 1 000 000 000 kr; check the amount (a missing decimal comma?)"
    return None


def year_refusal(year: int, as_of: date) -> str | None:
    """Costs are for years CTC has run or the coming one — not 2099."""
    if not 2000 <= year <= as_of.year + 1:
        return f"is not a year CTC has costs for (2000–{as_of.year + 1})"
    return None


def kronor(amount_ore: int) -> str:
    """'1 250 000,50 kr' — Swedish grouping, öre only when there are any."""
    whole, ore = divmod(abs(amount_ore), 100)
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return ("-" if amount_ore < 0 else "") + grouped + (f",{ore:02d}" if ore else "") + " kr"


@dataclass(frozen=True)
class CostImport:
    rows: int
    total_ore: int
    years: list[int]
    replaced: int


def import_costs(session: Session, defs: Definitions, path: Path, *, by: str, as_of: date,
                 sheet: str | None = None) -> CostImport:
    """Rows of year, area (blank: central), administration, amount; a re-import of the same file
    name replaces what it brought before."""
    person = require(defs, by, Action.RECORD_COSTS, as_of).id
    frame = read_table(path, sheet)
    frame.columns = [COST_COLUMNS.get(fold(c), c) for c in frame.columns]
    problems: list[Problem] = []
    missing = [c for c in ("year", "administration", "amount") if c not in frame.columns]
    if missing:
        raise InputFileError(path, [Problem(path, 1, None, f"missing columns: {', '.join(missing)}",
                                             "the header needs år, förvaltning and belopp (område and kategori "
                                             "are optional)", "missing_cost_columns", {"columns": ", ".join(missing)})])
    areas = {fold(a.id): a.id for a in defs.org.areas} | {fold(a.name): a.id for a in defs.org.areas}
    admins = {fold(a.id): a.id for a in defs.org.administrations} | {fold(a.name): a.id
                                                                      for a in defs.org.administrations}
    rows: list[CostEntry] = []
    for line, cells in frame.iterrows():
        row = int(str(line))
        year_text = cells["year"].strip()
        is_year = year_text.isdigit() and len(year_text) == 4
        refusal = year_refusal(int(year_text), as_of) if is_year else "is not a year"
        if refusal:
            problems.append(Problem(path, row, "år", f"'{year_text}' {refusal}", "write the year, e.g. 2023",
                                    "not_a_year", {"value": year_text}))
        amount = parse_amount(cells["amount"])
        if amount is None:
            problems.append(Problem(path, row, "belopp", f"'{cells['amount']}' is not an amount in kronor",
                                    "write e.g. 1 250 000 or 1250000,50", "not_an_amount",
                                    {"value": cells["amount"]}))
        elif (why := amount_refusal(amount)) is not None:
            problems.append(Problem(path, row, "belopp", f"'{cells['amount']}' {why}", "correct the amount",
                                    "not_an_amount", {"value": cells["amount"]}))
            amount = None
        admin = admins.get(fold(cells["administration"]))
        if admin is None:
            near = difflib.get_close_matches(fold(cells["administration"]), list(admins), n=1, cutoff=0.6)
            problems.append(Problem(path, row, "förvaltning", f"unknown administration '{cells['administration']}'",
                                    f"did you mean '{admins[near[0]]}'?" if near else
                                    "use an administration listed in areas.yml",
                                    "near_administration" if near else "unknown_administration_row",
                                    {"value": cells["administration"],
                                     "near": next((a.name for a in defs.org.administrations
                                                   if near and a.id == admins[near[0]]), "")}))
        area_text = cells.get("area", "").strip() if "area" in frame.columns else ""
        area = areas.get(fold(area_text)) if area_text else None
        if area_text and area is None:
            problems.append(Problem(path, row, "område", f"unknown area '{area_text}'",
                                    "use an area id or name from areas.yml, or leave it empty for central costs",
                                    "unknown_area_row", {"value": area_text}))
        if not refusal and amount is not None and admin is not None:
            rows.append(CostEntry(year=int(year_text), area_id=area, administration=admin, amount_ore=amount,
                                  category=(cells.get("category") or "").strip() or None,
                                  note=(cells.get("note") or "").strip() or None, source=path.name,
                                  recorded_on=as_of, recorded_by=person))
    if problems:
        raise InputFileError(path, problems)
    if not rows:
        raise CtcError(f"{path}: no cost rows")
    replaced = rows_affected(session.execute(delete(CostEntry).where(col(CostEntry.source) == path.name)))
    session.add_all(rows)
    total = sum(r.amount_ore for r in rows)
    years = sorted({r.year for r in rows})
    record(session, [NewEvent("costs_imported", person, as_of, None, path.name, None,
                              f"{len(rows)} rows, {kronor(total)}, years {', '.join(map(str, years))}")])
    return CostImport(len(rows), total, years, int(replaced))


def add_cost(session: Session, defs: Definitions, *, year: int, administration: str, amount: str,
             area_id: str | None, category: str | None, note: str | None, by: str, as_of: date,
             source: str = "ctc cost add") -> CostEntry:
    person = require(defs, by, Action.RECORD_COSTS, as_of).id
    if (why := year_refusal(year, as_of)) is not None:
        raise Invalid("year", "cost_year", f"{year} {why}")
    amount_ore = parse_amount(amount)
    if amount_ore is None:
        raise Invalid("amount", "amount", f"'{amount}' is not an amount in kronor; write e.g. 1 250 000 or 1250000,50")
    if (why := amount_refusal(amount_ore)) is not None:
        raise Invalid("amount", "amount", f"'{amount}' {why}")
    if administration not in {a.id for a in defs.org.administrations}:
        raise Invalid("administration", "unknown_administration", f"unknown administration '{administration}'; "
                      "use one of: " + ", ".join(a.id for a in defs.org.administrations))
    if area_id is not None and defs.org.area(area_id) is None:
        raise Invalid("area", "unknown_area", f"unknown area '{area_id}'")
    entry = CostEntry(year=year, area_id=area_id, administration=administration, amount_ore=amount_ore,
                      category=category, note=note, source=source, recorded_on=as_of, recorded_by=person)
    session.add(entry)
    record(session, [NewEvent("cost_added", person, as_of, area_id, str(year), None,
                              f"{administration}: {kronor(amount_ore)}", note)])
    return entry


def cost_totals(session: Session, years: list[int] | None = None) -> list[tuple[int, str | None, str, int]]:
    """(year, area or None for central, administration, öre), summed."""
    query = (select(col(CostEntry.year), col(CostEntry.area_id), col(CostEntry.administration),
                    func.sum(col(CostEntry.amount_ore)))
             .group_by(col(CostEntry.year), col(CostEntry.area_id), col(CostEntry.administration))
             .order_by(col(CostEntry.year), col(CostEntry.area_id), col(CostEntry.administration)))
    if years:
        query = query.where(col(CostEntry.year).in_(years))
    return [(y, a, adm, int(total)) for y, a, adm, total in session.execute(query)]


def add_mandate_entry(session: Session, defs: Definitions, area_id: str, kind: str, *, happened_on: date,
                      description: str, evidence: str | None, by: str, as_of: date) -> MandateEntry:
    if kind not in THEMES:
        raise Invalid("kind", "unknown_theme", f"unknown kind '{kind}'; the mandated themes are: {', '.join(THEMES)}")
    if not description.strip():
        raise Invalid("description", "empty", "describe what was done (--description)")
    if happened_on > as_of:
        raise Invalid("happened_on", "future", f"{happened_on} is after {as_of}: record what has happened")
    person = require(defs, by, Action.RECORD_AREA_WORK, as_of, area_id).person
    entry = MandateEntry(area_id=area_id, kind=kind, happened_on=happened_on, description=description.strip(),
                         evidence=evidence, recorded_on=as_of, recorded_by=person.id)
    session.add(entry)
    record(session, [NewEvent("mandate_entry", person.id, as_of, area_id, kind, None, description.strip(),
                              evidence)])
    return entry


def mandate_entries(session: Session, area_id: str | None = None, kind: str | None = None) -> list[MandateEntry]:
    query = select(MandateEntry).order_by(col(MandateEntry.area_id), col(MandateEntry.happened_on),
                                          col(MandateEntry.id))
    if area_id:
        query = query.where(col(MandateEntry.area_id) == area_id)
    if kind:
        query = query.where(col(MandateEntry.kind) == kind)
    return list(session.execute(query).scalars())

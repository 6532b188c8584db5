"""A cost sheet imported: all or nothing, every problem named by row and column, and never a
loss unseen — the sheet is the account of the years, areas and administrations it lists, and
costs recorded earlier for those are replaced only when the importer says so, after being told
which they are. The file's name is no key: a second sheet called kostnader.csv keeps the first's
other years."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import CtcError, InputFileError, Problem
from ctcflow.core.folding import fold
from ctcflow.core.tables import read_table
from ctcflow.definition.loader import Definitions
from ctcflow.engine.eventlog import NewEvent, record
from ctcflow.records.ledger import amount_refusal, kronor, parse_amount, year_refusal
from db.models import CostEntry

# Header names as ``fold`` leaves them ('År' → 'ar', 'Förvaltning' → 'forvaltning').
COST_COLUMNS = {"ar": "year", "year": "year", "omrade": "area", "area": "area",
                "forvaltning": "administration", "administration": "administration",
                "belopp": "amount", "belopp (kr)": "amount", "kostnad": "amount", "amount": "amount",
                "kategori": "category", "category": "category", "kommentar": "note", "note": "note"}


@dataclass(frozen=True)
class Replaced:
    """Costs already recorded for one year, area and administration that a sheet also gives."""

    year: int
    area_id: str | None
    administration: str
    before_ore: int
    after_ore: int


@dataclass(frozen=True)
class CostImport:
    rows: int
    total_ore: int
    years: list[int]
    replaced: int  # earlier rows replaced
    replacing: list[Replaced]


class WouldReplaceCosts(CtcError):
    """A sheet gives costs for a year, area and administration already recorded: nothing is
    written until the importer says the sheet replaces them (``replace``)."""

    def __init__(self, path: Path, replacing: list[Replaced], names: Callable[[str | None, str], str]) -> None:
        self.path, self.replacing = path, replacing
        shown = "; ".join(f"{r.year} {names(r.area_id, r.administration)}: {kronor(r.before_ore)} → "
                          f"{kronor(r.after_ore)}" for r in replacing[:10])
        more = f" and {len(replacing) - 10} more" if len(replacing) > 10 else ""
        super().__init__(f"{path.name} gives costs already recorded for {len(replacing)} year, area and "
                         f"administration: {shown}{more}. Nothing was imported; to replace them with the sheet's, "
                         "import it again with --replace")


def import_costs(session: Session, defs: Definitions, path: Path, *, by: str, as_of: date,
                 sheet: str | None = None, replace: bool = False) -> CostImport:
    """Rows of year, area (blank: central), administration, amount. A sheet is the account of the
    years, areas and administrations it lists: costs recorded earlier for those (by an import or
    by hand) are replaced only with ``replace`` — and said before anything is written; everything
    else stays, whatever the file is called."""
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
    years = sorted({r.year for r in rows})
    earlier = _recorded_for(session, rows, years)
    replacing = _replacing(earlier, rows)
    if replacing and not replace:
        raise WouldReplaceCosts(path, replacing, lambda area, admin: _where(defs, area, admin))
    if earlier:
        session.execute(delete(CostEntry).where(col(CostEntry.id).in_([e.id for e in earlier])))
    session.add_all(rows)
    total = sum(r.amount_ore for r in rows)
    record(session, [NewEvent("costs_imported", person, as_of, None, path.name, None,
                              f"{len(rows)} rows, {kronor(total)}, years {', '.join(map(str, years))}"
                              + (f", replacing {len(earlier)} earlier rows" if earlier else ""))])
    return CostImport(len(rows), total, years, len(earlier), replacing)


def _recorded_for(session: Session, rows: list[CostEntry], years: list[int]) -> list[CostEntry]:
    """The costs already recorded for the year, area and administration of any of ``rows``."""
    keys = {(r.year, r.area_id, r.administration) for r in rows}
    found = session.execute(select(CostEntry).where(col(CostEntry.year).in_(years))).scalars()
    return [e for e in found if (e.year, e.area_id, e.administration) in keys]


def _replacing(earlier: list[CostEntry], rows: list[CostEntry]) -> list[Replaced]:
    before: dict[tuple[int, str | None, str], int] = {}
    for e in earlier:
        key = (e.year, e.area_id, e.administration)
        before[key] = before.get(key, 0) + e.amount_ore
    after: dict[tuple[int, str | None, str], int] = {}
    for r in rows:
        key = (r.year, r.area_id, r.administration)
        after[key] = after.get(key, 0) + r.amount_ore
    return [Replaced(year, area, admin, ore, after[(year, area, admin)])
            for (year, area, admin), ore in sorted(before.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2]))]


def _where(defs: Definitions, area_id: str | None, administration: str) -> str:
    """'Hermodsdal, Stadskontoret' / 'central, Stadskontoret': a cost line's place."""
    admin = defs.name("administration", administration, "en")  # the message is the command line's detail
    return f"{defs.org.area_name(area_id) if area_id else 'central'}, {admin}"

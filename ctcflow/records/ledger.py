"""What the report to KS needs that no other part records: annual costs per administration and
area, and the entries on the mandated themes (resident participation, gender mainstreaming,
racism and sexism). A cost sheet's import is ``cost_import``."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from ctcflow.access.permissions import Action, require
from ctcflow.core.errors import Invalid
from ctcflow.definition.loader import Definitions
from ctcflow.definition.process import THEMES
from ctcflow.engine.eventlog import NewEvent, record
from db.models import CostEntry, MandateEntry

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
    if area_id is not None:
        defs.org.known_area(area_id)
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


def cost_entries(session: Session, limit: int) -> tuple[list[CostEntry], int]:
    """The newest ``limit`` cost entries one by one — with their category and note, which the sums
    leave out — and how many there are in all."""
    total = int(session.execute(select(func.count()).select_from(CostEntry)).scalar_one())
    rows = session.execute(select(CostEntry).order_by(col(CostEntry.year).desc(), col(CostEntry.id).desc())
                           .limit(limit)).scalars().all()
    return list(rows), total


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

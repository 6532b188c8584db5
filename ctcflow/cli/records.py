"""`ctc cost …` and `ctc entry …`: what is recorded for the report to KS."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AreaArg, AsOf, By, Lang, Note, day, language, parse_day
from ctcflow.cli.texttable import render_table
from ctcflow.core.words import say
from ctcflow.definition.process import THEMES

cost = typer.Typer(help="CTC's annual costs per administration and area")
entry = typer.Typer(help="work on the mandated themes: boendemedverkan, jämställdhet, rasism/sexism")


@cost.command("import")
def cost_import(file: Path, by: By, as_of: AsOf = None, note: Note = None, lang: Lang = None,
                sheet: Annotated[str | None, typer.Option(
                    help="the workbook's sheet to read (when several hold data)")] = None,
                replace: Annotated[bool, typer.Option(
                    help="replace the costs already recorded for the sheet's years, areas and "
                         "administrations (without it, they are listed and nothing is imported)")] = False) -> None:
    """Import a cost sheet (CSV/XLSX: år, område, förvaltning, belopp)."""
    from ctcflow.app.records import cost_import as import_file
    from ctcflow.records.ledger import kronor

    result = import_file(file, by=by, as_of=day(as_of), sheet=sheet, replace=replace)
    print(f"✓ {result.rows} cost rows, {kronor(result.total_ore)}, years {', '.join(map(str, result.years))}"
          + (f" (replacing {result.replaced} earlier rows for {len(result.replacing)} year, area and "
             "administration)" if result.replaced else ""))


@cost.command("add")
def cost_add(by: By, year: Annotated[int, typer.Option()], administration: Annotated[str, typer.Option()],
             amount: Annotated[str, typer.Option(help='kronor, e.g. "1 250 000" or 1250000,50')],
             area: Annotated[str | None, typer.Option(help="the area the cost belongs to (none: central)")] = None,
             category: Annotated[str | None, typer.Option()] = None,
             as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """Record one cost."""
    from ctcflow.app.records import cost_add as add

    add(year=year, administration=administration, amount=amount, area_id=area, category=category, note=note,
        by=by, as_of=day(as_of))
    print(f"✓ {year} {administration}: {amount}")


@cost.command("list")
def cost_list(lang: Lang = None, year: Annotated[list[int] | None, typer.Option()] = None) -> None:
    """Costs per year, area and administration."""
    from ctcflow.app.records import cost_table
    from ctcflow.records.ledger import kronor

    lang_ = language(lang)
    rows = cost_table(year)
    print(render_table([say(lang_, "Year"), say(lang_, "Area"), say(lang_, "Administration"), say(lang_, "Amount")],
                       [[y, a or say(lang_, "central"), adm, kronor(o)] for y, a, adm, o in rows]))
    by_year: dict[int, int] = {}
    for row_year, _, _, ore in rows:
        by_year[row_year] = by_year.get(row_year, 0) + ore
    for row_year, total in sorted(by_year.items()):
        print(f"{row_year}: {kronor(total)}")


@entry.command("add")
def entry_add(area: AreaArg, by: By,
              kind: Annotated[str, typer.Option(help=f"one of {', '.join(THEMES)}")],
              description: Annotated[str, typer.Option()],
              when: Annotated[date | None, typer.Option("--date", parser=parse_day,
                                                        help="when it happened (default: the as-of day)")] = None,
              evidence: Annotated[str | None, typer.Option()] = None,
              as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """Record what was done on a mandated theme."""
    from ctcflow.app.records import mandate_add

    mandate_add(area, kind, happened_on=when or day(as_of), description=description, evidence=evidence, by=by,
                as_of=day(as_of))
    print(f"✓ {area}: {kind} recorded")


@entry.command("list")
def entry_list(lang: Lang = None, area: Annotated[str | None, typer.Option()] = None,
               kind: Annotated[str | None, typer.Option()] = None) -> None:
    """The recorded entries."""
    from ctcflow.app.records import mandate_list
    from ctcflow.core.words import translated
    from ctcflow.report.terms import SECTIONS

    lang = language(lang)
    titles = translated(lang, SECTIONS)
    print(render_table([say(lang, "Area"), say(lang, "Event"), say(lang, "Date"), "", say(lang, "Evidence")],
                       [[e.area_id, titles[e.kind], e.happened_on, e.description, e.evidence or ""]
                        for e in mandate_list(area, kind)]))

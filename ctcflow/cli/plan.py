"""`ctc plan …`: the handlingsplan's goals and programmes, and the document for approval."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AreaArg, AsOf, By, Lang, Note, day, language, parse_day
from ctcflow.cli.output import write_page

app = typer.Typer(help="the handlingsplan: goals, programmes, the document")


@app.command("goal")
def goal(area: AreaArg, by: By,
         subject: Annotated[str, typer.Option(help="a factor or outcome id from survey.yml")],
         target: Annotated[str, typer.Option(help='e.g. "from 49 % to 40 % by the 2025 survey"')],
         as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """A measurable goal for a priority factor or behaviour."""
    from ctcflow.app.plans import plan_goal

    plan_goal(area, subject, target, by=by, as_of=day(as_of))
    print(f"✓ {area}: goal for {subject}: {target}")


@app.command("programme")
def programme(area: AreaArg, by: By, factor: Annotated[str, typer.Option()],
              programme: Annotated[str, typer.Option(help="programme id from programmes.yml")],
              as_of: AsOf = None, note: Note = None, lang: Lang = None,
              responsible: Annotated[str | None, typer.Option(help="who runs it (a name, a unit)")] = None,
              start: Annotated[date | None, typer.Option("--from", parser=parse_day, metavar="YYYY-MM-DD",
                                                         help="its first day")] = None,
              end: Annotated[date | None, typer.Option("--until", parser=parse_day, metavar="YYYY-MM-DD",
                                                       help="its last day")] = None,
              budget: Annotated[str | None, typer.Option(help="its budget in kronor, e.g. '250 000'")] = None) -> None:
    """A programme from programmes.yml against a priority factor: who runs it, when, for how much."""
    from ctcflow.app.plans import plan_programme
    from ctcflow.records.plan import ProgrammePlan

    plan = ProgrammePlan(responsible, start, end, budget)
    plan_programme(area, factor, programme, by=by, as_of=day(as_of), note=note, plan=plan)
    print(f"✓ {area}: {programme} against {factor}")


@app.command("show")
def show(area: AreaArg, lang: Lang = None,
         output: Annotated[str | None, typer.Option("--output", "-o")] = None,
         pdf: Annotated[bool, typer.Option("--pdf", help="write it as a PDF instead of HTML")] = False) -> None:
    """Write the area's handlingsplan for the styrgrupp's approval (HTML, or PDF with --pdf)."""
    from ctcflow.app.plans import plan_document, plan_pdf

    if pdf:
        target = Path(output or f"handlingsplan-{area}.pdf")
        target.write_bytes(plan_pdf(area, language(lang)))
        print(f"wrote {target}")
        return
    write_page(plan_document(area, language(lang)), output or f"handlingsplan-{area}.html")

"""`ctc report …`: the report to KS and the areas' reports — render, archive, send; the calendar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AreaArg, AsOf, Lang, day, language
from ctcflow.cli.output import print_delivery
from ctcflow.cli.texttable import render_table

app = typer.Typer(help="the report to KS and the areas' reports: render, archive, send")
Period = Annotated[str | None, typer.Option(
    help="the year a report is due (e.g. 2022) or FROM..TO (e.g. 2020-01-01..2021-12-31)")]
Formats = Annotated[list[str] | None, typer.Option("--format", help="html, pdf and/or md (default all three)")]
Out = Annotated[Path | None, typer.Option("--out", help="folder to write the files to (default: here)")]
Send = Annotated[bool, typer.Option("--send", help="send it to its recipients now (PDF attached)")]
ReportBy = Annotated[str, typer.Option("--by", help="person id from areas.yml, for the archive and log")]
Early = Annotated[bool, typer.Option(
    "--before-period-end", help="send the board's report although its period is not over (recorded)")]
CaseNumber = Annotated[str | None, typer.Option(
    "--diarienummer", help="the case number the paper is filed under (default: case_numbers in phases.yml)")]
FORMATS = ("html", "pdf", "md")


@app.command("ks")
def ks(period: Period = None, as_of: AsOf = None, lang: Lang = None, format: Formats = None, out: Out = None,
       send: Send = False, by: ReportBy = "ctc report", diarienummer: CaseNumber = None,
       before_period_end: Early = False) -> None:
    """The report to the municipal board for a period."""
    if not period:
        raise typer.BadParameter("--period is required: the year the report is due (e.g. 2022) or FROM..TO")
    _make(None, period, as_of, lang, format, out, send, by, diarienummer, before_period_end)


@app.command("area")
def area(area: AreaArg, period: Period = None, as_of: AsOf = None, lang: Lang = None, format: Formats = None,
         out: Out = None, send: Send = False, by: ReportBy = "ctc report") -> None:
    """One area's report for its team."""
    _make(area, period, as_of, lang, format, out, send, by)


def _make(area_id: str | None, period: str | None, as_of: AsOf, lang: str | None, formats: list[str] | None,
          out: Path | None, send: bool, by: str, case_number: str | None = None,
          before_period_end: bool = False) -> None:
    from ctcflow.app.people import current_definitions
    from ctcflow.app.reports import report_make
    from ctcflow.core.words import say
    from ctcflow.report.delivery_words import lines, summary
    from ctcflow.report.notices import gap_lines

    wanted = tuple(formats or FORMATS)
    if unknown := [f for f in wanted if f not in FORMATS]:
        raise typer.BadParameter(f"unknown format {', '.join(unknown)}; use html, pdf or md")
    as_of_day = day(as_of)
    made = report_make("ks", period, as_of=as_of_day, lang=language(lang), area_id=area_id, formats=wanted,
                       send=send, by=by, case_number=case_number, before_period_end=before_period_end)
    folder = out or Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    for rendering in made.files:
        (folder / rendering.filename).write_bytes(rendering.content)
        print(f"wrote {folder / rendering.filename}  sha256 {rendering.sha256[:16]}")
    defs, lang = current_definitions(), language(lang)
    for line in gap_lines(made.content.gaps, defs, lang):
        print(say(lang, "Missing in the report: {gap}", gap=line), file=sys.stderr)
    if made.sent_to:
        print_delivery(made.delivery, lang)
        print(summary(made.sending, as_of_day, None, as_of_day, lang))
        if made.sending is not None:
            for text in lines(made.sending, lambda p: defs.name("person", p, lang), lang):
                print(f"  {text}")


@app.command("list")
def list_(as_of: AsOf = None, lang: Lang = None,
          report: Annotated[str | None, typer.Option(help="only this report (ks, area)")] = None) -> None:
    """The report calendar and the archive."""
    from ctcflow.app.reports import report_archive, report_calendar

    as_of, lang = day(as_of), language(lang)
    rows = [[o.occasion.key, o.occasion.due.isoformat(), o.occasion.period.label(), o.words(as_of, lang)]
            for o in report_calendar(as_of)]
    print(render_table(["report", "due", "period", "state"], rows))
    archived = report_archive(report)
    if archived:
        print()
        print(render_table(["id", "report", "scope", "period", "as of", "file", "sha256", "to the outbox"],
                           [[a.id, a.report_id, a.scope, f"{a.period_start}..{a.period_end}", a.as_of, a.filename,
                             a.sha256[:16], f"{a.sent_on} → {a.sent_to}" if a.sent_on else ""] for a in archived]))


@app.command("get")
def get(archive_id: Annotated[int, typer.Argument(metavar="ID")], lang: Lang = None,
        output: Annotated[Path | None, typer.Option("--output")] = None) -> None:
    """Write an archived report file."""
    from ctcflow.app.reports import report_file

    name, content = report_file(archive_id)
    target = output or Path(name)
    target.write_bytes(content)
    print(f"wrote {target}")

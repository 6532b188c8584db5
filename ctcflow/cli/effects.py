"""`ctc effects [--area A] [--json]`: did the priority factors and outcomes move more than the
comparison since each area's decision; `ctc effects export DIR`: the tables behind it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AsOf, Lang, day, language
from ctcflow.cli.texttable import render_table

app = typer.Typer(help="the effects evaluation: priority factors and outcomes against the comparison",
                  invoke_without_command=True)


@app.callback()
def effects(ctx: typer.Context, area: Annotated[str | None, typer.Option("--area", help="one area only")] = None,
            as_of: AsOf = None, lang: Lang = None,
            as_json: Annotated[bool, typer.Option("--json", help="machine-readable")] = False) -> None:
    """Each area's verdicts, in plain words."""
    if ctx.invoked_subcommand:
        return
    from ctcflow.app import effects as use_case
    from ctcflow.core.templating import percent
    from ctcflow.core.words import words
    from ctcflow.definition.survey import load_survey
    from ctcflow.report.effect_view import change_in_words
    from ctcflow.report.terms import EFFECTS_COMPARISON, EFFECTS_VERDICT

    found = use_case.effects(day(as_of), area)
    if as_json:
        print(json.dumps(use_case.as_json(found), ensure_ascii=False, indent=1))
        return
    lang_ = language(lang)
    t = words(lang_)
    survey = load_survey()
    if not found:
        print(t("The area has not decided on priority factors yet."))
    for a in found:
        comparison = t(EFFECTS_COMPARISON[a.effects[0].comparison])
        question = t("Have the priority factors and the outcomes moved more than in the comparison ({comparison}) "
                     "since the survey the priorities were based on?").format(comparison=comparison)
        print(f"{a.area_id} — {question}")
        outcome = t("outcome")
        rows = [(survey.measure_title(e.measure, lang_) + ("" if e.prioritised else f" ({outcome})"),
                 "; ".join(f"{w}: {percent(s, lang_)} ({percent(o, lang_)})" for w, s, o in e.shares),
                 change_in_words(e, t, lang_), t(EFFECTS_VERDICT[e.verdict])) for e in a.effects]
        print(render_table([t("Measure"), t("Share in the area (comparison)"), t("Difference from the comparison"),
                            t("Verdict")], rows))
        print()


@app.command("export")
def export(folder: Annotated[Path, typer.Argument(help="where to write shares.csv, effects.csv, codebook.md")],
           as_of: AsOf = None) -> None:
    """The aggregate tables behind every verdict, with a codebook, for an evaluator."""
    from ctcflow.app.effects import export as write

    for path in write(folder, day(as_of)):
        print(f"wrote {path}")

"""`ctc survey …`: import a wave, the områdesprofil, the team's decision, cut points."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ctcflow.cli.options import AreaArg, AsOf, By, Lang, Note, day, language
from ctcflow.cli.output import write_page
from ctcflow.cli.texttable import render_table

app = typer.Typer(help="the CTC-enkät: import a wave, profiles, the team's decision")
Wave = Annotated[str, typer.Option("--wave", help="the wave's name, e.g. 2023")]


@app.command("import")
def import_(wave: Annotated[str, typer.Argument(help="the wave's name, e.g. 2023")], file: Path,
            as_of: AsOf = None, lang: Lang = None,
            sheet: Annotated[str | None, typer.Option(help="the workbook's sheet to read (when several hold data)")]
            = None,
            replace: Annotated[bool, typer.Option(
                "--replace", help="replace an imported wave even with fewer answers or areas")] = False) -> None:
    """Import a wave from a CSV or XLSX export (all or nothing)."""
    from ctcflow.app.survey import import_wave

    report = import_wave(wave, file, day(as_of), sheet=sheet, replace=replace)
    row = report.wave
    print(f"survey wave {row.id}: {report.read} answers from {row.source}, {report.valid} valid "
          f"(excluded: {row.excluded_fictitious} fictitious drug, {row.excluded_implausible} implausible, "
          f"{row.excluded_inconsistent} inconsistent)")
    if report.outside_areas:
        listed = ", ".join(f"{name} {count}" for name, count in sorted(report.outside_areas.items()))
        print(f"  pupils from delområden outside the CTC areas (counted for the city only): {listed}")
    if report.ignored_columns:
        print(f"  columns not in survey.yml, ignored: {', '.join(report.ignored_columns)}")
    print(f"  areas with answers: {len(report.areas_with_answers)}; compared with wave {report.previous or '–'}")
    if report.removed:  # a re-import that takes answers away says how many and where
        listed = "; ".join(f"{area} {had} → {has}" for area, (had, has) in report.removed.items())
        print(f"  answers removed from the wave imported before: {listed}")
    if report.rescored:
        listed = "; ".join(f"{factor} {then} → {now}" for factor, (then, now) in report.rescored.items())
        print(f"  cut points changed since wave {report.previous} (these factors are not compared with it): {listed}")
    hidden = report.hidden
    print(f"  hidden to protect small groups: {hidden.share:.1%} of {hidden.cells} figures ({hidden.primary} "
          f"with fewer than {hidden.min_cell} answers, {hidden.secondary} that would give one away)")
    by_area: dict[str, list[str]] = {}
    for candidate in report.candidates:
        by_area.setdefault(candidate.area_id, []).append(candidate.factor_id)
    for area_id in report.areas_with_answers:
        print(f"  {area_id}: suggested {', '.join(by_area.get(area_id, [])) or '(nothing stands out)'}")
    for area_id, milestone_id in report.milestones_done:
        print(f"  ✓ {area_id}: {milestone_id} done (evidence: CTC-enkät {row.id})")
    for area_id, milestone_id, why in report.milestones_waiting:
        print(f"  … {area_id}: {milestone_id} still open: {why}")


@app.command("store")
def store(file: Path) -> None:
    """Keep an export in the database for the survey-wave flow on a worker that has not the file."""
    from ctcflow.app.survey_files import keep_export

    reference = keep_export(file)
    print(f"stored {file.name}; start the survey-wave flow with file={reference}")


@app.command("profile")
def profile(area: AreaArg, wave: Wave, lang: Lang = None, as_of: AsOf = None,
            output: Annotated[str | None, typer.Option("--output", "-o")] = None) -> None:
    """Write an area's områdesprofil as HTML (its effects as recorded by --as-of)."""
    from ctcflow.app.survey import survey_profile

    write_page(survey_profile(area, wave, language(lang), day(as_of)), output or f"omradesprofil-{area}-{wave}.html")


@app.command("decide")
def decide(area: AreaArg, wave: Wave, by: By,
           factors: Annotated[str, typer.Option(help="comma-separated factor ids from survey.yml")],
           as_of: AsOf = None, note: Note = None, lang: Lang = None) -> None:
    """Record the områdesteam's 2–5 priority factors."""
    from ctcflow.app.survey import record_decision

    chosen = [f.strip() for f in factors.split(",") if f.strip()]
    decision, why_not = record_decision(area, wave, chosen, by=by, as_of=day(as_of), note=note)
    print(f"✓ {area}: priority factors {', '.join(chosen)} decided {decision.decided_on} by {decision.decided_by}")
    if why_not:
        print(f"  the decision is recorded; its milestone is not marked done: {why_not}")


@app.command("calibrate")
def calibrate(file: Path, lang: Lang = None,
              share: Annotated[float, typer.Option(help="share of pupils above the cut point")] = 0.3) -> None:
    """Suggest cut points from a reference wave."""
    from ctcflow.app.survey import calibrate_file

    points = calibrate_file(file, share)
    print(f"# cut points putting {share:.0%} of this wave's valid pupils above; paste into survey.yml")
    for factor_id, point in points.items():
        print(f"{factor_id}: {point}")


@app.command("waves")
def waves(lang: Lang = None) -> None:
    """The imported waves."""
    from ctcflow.app.survey import survey_waves

    print(render_table(["wave", "source", "pupils counted", "compared with", "imported"],
                       [[w.wave.id, w.wave.source, w.counted if w.counted is not None else "–", w.wave.comparison,
                         w.wave.imported_at.date()] for w in survey_waves()]))

"""The CTC-enkät at city scale: a synthetic wave of 200,000 pupils × 120 items over 400 areas,
imported (read, screened, scored, tabulated, suppressed, compared, stored) and profiled."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.city import write_city
from bench.timing import clock, peak_mib
from ctcflow.core.config import reset_settings


def bench_survey(folder: Path, areas: int = 400, pupils: int = 200_000) -> None:
    write_city(folder, areas)
    os.environ.update(CTC_PHASES_FILE=str(folder / "phases.yml"), CTC_AREAS_FILE=str(folder / "areas.yml"),
                      CTC_DATA_DIR=str(folder / "data"))
    reset_settings()
    from ctcflow.app.setup import init_database
    from ctcflow.app.survey import survey_profile
    from ctcflow.definition.loader import load_definitions
    from ctcflow.definition.survey import load_survey
    from ctcflow.survey.analysis import screen, suggest
    from ctcflow.survey.publication import audit, publish
    from ctcflow.survey.reading import read_survey
    from demo.synthetic import Plan, synthetic_wave, write_export

    init_database(date(2018, 8, 1))
    defs, survey = load_definitions(), load_survey()
    planted = {a.id: ["konflikter_i_familjen"] for a in defs.org.areas[::50]}
    path = folder / "enkat.csv"
    started = time.perf_counter()
    write_export(synthetic_wave(survey, defs.org, Plan(pupils=pupils, seed=1, planted=planted)), str(path))
    print(f"synthetic wave: {pupils} pupils × {len(survey.items)} items over {areas} areas "
          f"({path.stat().st_size // 2**20} MiB CSV, made in {time.perf_counter() - started:.1f} s)")

    data, _ = clock("read and check the file", lambda: read_survey(path, survey, defs.org))

    def analyse() -> tuple[Any, list[Any]]:
        screened = screen(data.frame, survey)
        publication = publish(data.frame[screened.valid], survey)
        return publication, suggest(publication.table, None, survey)

    (publication, candidates), _ = clock("all areas' profiles: scores, cells, the publication gate, tests", analyse)
    table, hidden = publication.table, publication.hidden
    found, _ = clock("the audit alone, once over the published pattern (a linear programme per measure)",
                     lambda: audit(table, survey.min_cell, publication.apart))
    shown = table[~table["suppressed"]]
    heads = shown[(shown["area_id"] == "") & (shown["grade_group"] == "*") & (shown["kon"] == "*")]
    print(f"    compared with: {publication.comparison}; the comparison shown for {heads['measure'].nunique()} of "
          f"{table['measure'].nunique()} measures; small groups the audit finds recoverable: {int(found.cells.sum())}")
    print(f"    {hidden.cells} published-or-hidden figures, {hidden.share:.1%} hidden ({hidden.primary} small groups, "
          f"{hidden.secondary} that would give one away); {len(candidates)} candidates "
          f"({sum(len(v) for v in planted.values())} planted)")
    def import_command() -> float:
        command = subprocess.Popen(
            [sys.executable, "-m", "ctcflow.cli", "survey", "import", "2023", str(path), "--as-of", "2023-04-03"],
            stdout=subprocess.DEVNULL)
        peak = peak_mib(command)
        assert command.returncode == 0
        return peak

    peak, _ = clock("ctc survey import, as a command (read → stored)", import_command)
    print(f"    peak memory of that command: {peak:.0f} MiB")
    clock(f"render all {len(defs.org.areas)} områdesprofiler as HTML",
          lambda: [survey_profile(a.id, "2023", "sv", date(2023, 4, 3)) for a in defs.org.areas])

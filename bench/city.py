"""A synthetic city: N areas in the shape of the shipped areas.yml — several administrations,
each area with its delområden, team sectors, its own dated responsibilities and three people —
written next to a copy of phases.yml."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from ctcflow.core.config import PROJECT_ROOT

HEADER = """municipality: Syntetstad
administrations:
  - {id: stadskontoret, name: Stadskontoret}
  - {id: socialforvaltningen, name: Socialförvaltningen}
  - {id: grundskoleforvaltningen, name: Grundskoleförvaltningen}
  - {id: fritidsforvaltningen, name: Fritidsförvaltningen}
responsibilities:
  - {role: central_samordnare, administration: stadskontoret, from: 2017-01-01}
  - {role: analysfunktionen, administration: stadskontoret, from: 2017-01-01}
central:
  - {id: samordnare, name: Samordnare, role: central_samordnare, notify: "env:CTC_NOTIFY_SAMORDNARE"}
  - {id: analys, name: Analys, role: analysfunktionen, notify: "env:CTC_NOTIFY_ANALYS"}
  - {id: chef, name: Avdelningschef, role: avdelningschef, notify: "env:CTC_NOTIFY_CHEF"}
  - {id: ks, name: KS kansli, role: kommunstyrelsen, notify: "env:CTC_NOTIFY_KS"}
areas:
"""
SECTORS = ["skola", "forskola", "socialtjanst", "fritid", "kultur", "polis", "civilsamhalle", "boende", "unga"]
LOCAL_ADMINISTRATIONS = ["socialforvaltningen", "grundskoleforvaltningen"]
START_WEEKS = 26  # the areas start over half a year, a week apart (a city rolling CTC out)


def write_city(folder: Path, areas: int, first_start: date = date(2018, 9, 3)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "phases.yml", folder / "phases.yml")
    lines = [HEADER]
    for i in range(areas):
        start = first_start + timedelta(days=7 * (i % START_WEEKS))
        sectors = ", ".join(SECTORS[: 5 + i % 5])
        lines.append(
            f"  - id: omrade_{i:05d}\n    name: Område {i}\n    delomraden: [Delområde {i}a, Delområde {i}b]\n"
            f"    start: {start}\n    team_sectors: [{sectors}]\n    responsibilities:\n"
            f"      - {{role: utvecklingsledare, administration: {LOCAL_ADMINISTRATIONS[i % 2]}, from: 2018-08-01}}\n"
            f"      - {{role: utvecklingsledare, administration: fritidsforvaltningen, from: 2024-09-01}}\n"
            f"    people:\n"
            f"      - {{id: ul_{i:05d}, name: UL {i}, role: utvecklingsledare, notify: \"env:CTC_UL_{i:05d}\"}}\n"
            f"      - {{id: sg_{i:05d}, name: SG {i}, role: styrgrupp, notify: \"env:CTC_SG_{i:05d}\"}}\n"
            f"      - {{id: team_{i:05d}, name: Team {i}, role: omradesteam, notify: \"env:CTC_TEAM_{i:05d}\"}}\n"
        )
    (folder / "areas.yml").write_text("".join(lines), encoding="utf-8")

"""A synthetic city: N areas in areas.yml form, written next to a copy of phases.yml."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from ctcflow.core.config import PROJECT_ROOT

HEADER = """municipality: Syntetstad
administrations:
  - {id: stadskontoret, name: Stadskontoret}
responsibilities:
  - {role: central_samordnare, administration: stadskontoret, from: 2017-01-01}
central:
  - {id: samordnare, name: Samordnare, role: central_samordnare, notify: "env:CTC_NOTIFY_SAMORDNARE"}
  - {id: analys, name: Analys, role: analysfunktionen, notify: "env:CTC_NOTIFY_ANALYS"}
  - {id: chef, name: Avdelningschef, role: avdelningschef, notify: "env:CTC_NOTIFY_CHEF"}
  - {id: ks, name: KS kansli, role: kommunstyrelsen, notify: "env:CTC_NOTIFY_KS"}
areas:
"""


def write_city(folder: Path, areas: int, first_start: date = date(2018, 9, 3)) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "phases.yml", folder / "phases.yml")
    lines = [HEADER]
    for i in range(areas):
        start = first_start + timedelta(days=7 * (i % 150))
        lines.append(
            f"  - id: omrade_{i:05d}\n    name: Område {i}\n    delomraden: [Delområde {i}a, Delområde {i}b]\n"
            f"    start: {start}\n    people:\n"
            f"      - {{id: ul_{i:05d}, name: UL {i}, role: utvecklingsledare, notify: \"env:CTC_UL_{i:05d}\"}}\n"
            f"      - {{id: sg_{i:05d}, name: SG {i}, role: styrgrupp, notify: \"env:CTC_SG_{i:05d}\"}}\n"
            f"      - {{id: team_{i:05d}, name: Team {i}, role: omradesteam, notify: \"env:CTC_TEAM_{i:05d}\"}}\n"
        )
    (folder / "areas.yml").write_text("".join(lines), encoding="utf-8")

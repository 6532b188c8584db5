"""The publication gate on the four kinds of small city an independent check tried (5 areas of
the embedded Malmö definitions, 6,000 pupils): a tiny area with a small 'annat' group, a few
pupils outside the areas, nobody outside, a comparison area beside them. For each: what is
compared with what, the share hidden, the measures with a published comparison, the gate's
time, and the small groups the full attack (every measure together, integer counts:
tests/joint_attack.py) recovers from everything published — which must be 0."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from ctcflow.core.config import reset_settings

SHAPES = {  # an area of 14 pupils?, pupils outside the areas, pupils in a comparison area
    "tiny area, small 'annat'": (True, 0, 0),
    "4 pupils outside": (False, 4, 0),
    "nobody outside": (False, 0, 0),
    "comparison area + 9 outside": (False, 9, 300),
}


def bench_shapes() -> None:
    from tests.test_publication import COMPARISON_AREA

    print(f"{'city':30} {'compared with':14} {'hidden':>7} {'comparison shown':>17} {'gate':>7} {'recovered':>10}")
    for name, (tiny, outside, compared) in SHAPES.items():
        with tempfile.TemporaryDirectory(prefix="ctc-bench-shape-") as tmp:
            folder = Path(tmp)
            if compared:
                areas = Path("areas.yml").read_text(encoding="utf-8")
                (folder / "areas.yml").write_text(areas.replace("comparison_areas: []", COMPARISON_AREA),
                                                  encoding="utf-8")
                os.environ["CTC_AREAS_FILE"] = str(folder / "areas.yml")
            reset_settings()
            try:
                print(f"{name:30} " + _one(folder, tiny, outside, compared))
            finally:
                os.environ.pop("CTC_AREAS_FILE", None)
                reset_settings()


def _one(folder: Path, tiny: bool, outside: int, compared: int) -> str:
    from ctcflow.definition.loader import load_definitions
    from ctcflow.definition.survey import load_survey
    from ctcflow.survey.analysis import screen
    from ctcflow.survey.publication import publish
    from ctcflow.survey.reading import read_survey
    from tests.joint_attack import PUPILS, attack
    from tests.test_publication import intruder_table, shaped_city, truth

    defs, survey = load_definitions(), load_survey()
    path = shaped_city(folder, tiny, outside, compared)
    data = read_survey(path, survey, defs.org)
    valid = data.frame[screen(data.frame, survey).valid]
    started = time.perf_counter()
    publication = publish(valid, survey)
    gate = time.perf_counter() - started
    shown = publication.published.rename(columns={"kon": "gender"})
    heads = shown[(shown["grade_group"] == "*") & (shown["gender"] == "*") & (shown["area_id"] == "")]
    cells = truth(path, publication.comparison)
    measures = set(cells.loc[cells["measure"] != PUPILS, "measure"])
    outside_empty = publication.comparison == "areas" or outside == 0
    found = attack(intruder_table(cells, outside_empty), shown[["area_id", "grade_group", "gender", "measure", "n"]],
                   cells, survey.min_cell)
    return (f"{publication.comparison:14} {publication.hidden.share:7.1%} "
            f"{len(set(heads['measure']))} of {len(measures):>2} measures {gate:6.1f}s {len(found):>10}")

"""What a wave was scored with — survey.yml's hash and each factor's cut point — so that a wave
is compared with the one before it only where both were scored alike. The answers themselves
are never kept (the survey is anonymous), so an earlier wave cannot be scored again: a factor
whose cut point changed starts a new series, and the import says so."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ctcflow.definition.survey import SurveyDef


def scored_with(survey: SurveyDef, survey_path: Path) -> dict[str, Any]:
    return {"survey_sha256": hashlib.sha256(survey_path.read_bytes()).hexdigest() if survey_path.exists() else "",
            "cut_points": {f.id: f.cut_point for f in survey.factors}}


def rescored(before: str | None, now: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Factor → (cut point then, cut point now) where an earlier wave was scored otherwise; a
    wave from before the cut points were recorded counts as scored alike."""
    if not before:
        return {}
    then = json.loads(before).get("cut_points", {})
    return {factor: (float(then[factor]), float(point)) for factor, point in now["cut_points"].items()
            if factor in then and float(then[factor]) != float(point)}

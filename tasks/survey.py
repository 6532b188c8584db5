"""The survey wave as Prefect tasks: one import (read, analyse, store, mark milestones) and one
task writing every area's profile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import task

from ctcflow.app.survey import import_wave, survey_profiles
from ctcflow.core.config import get_settings
from tasks.models import Candidate, Marked, Waiting, WaveSummary


@task(name="import-survey-wave")
def import_survey_wave(wave: str, file: str, as_of: date) -> WaveSummary:
    report = import_wave(wave, Path(file), as_of)
    return WaveSummary(
        wave=report.wave.id, respondents=report.wave.respondents, valid=report.wave.valid,
        previous=report.previous, areas=report.areas_with_answers,
        candidates=[Candidate(area=c.area_id, factor=c.factor_id, rank=c.rank) for c in report.candidates],
        milestones_done=[Marked(area=a, milestone=m) for a, m in report.milestones_done],
        milestones_waiting=[Waiting(area=a, milestone=m, why=why) for a, m, why in report.milestones_waiting])


@task(name="publish-area-profiles")
def publish_area_profiles(wave: str, areas: list[str], lang: str = "sv") -> list[str]:
    """Every area's områdesprofil as HTML under <data dir>/profiles/<wave>/."""
    folder = get_settings().data_dir / "profiles" / wave
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for area_id, html in survey_profiles(areas, wave, lang).items():
        path = folder / f"{area_id}.html"
        path.write_text(html, encoding="utf-8")
        written.append(str(path))
    return written

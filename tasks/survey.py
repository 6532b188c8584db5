"""The survey wave as Prefect tasks: one import (read, analyse, store, mark milestones) and one
listing where every area's profile is read."""

from __future__ import annotations

from datetime import date

from prefect import task

from ctcflow.app.survey import import_wave
from ctcflow.app.survey_files import export_file, forget_export
from ctcflow.core.config import get_settings
from tasks.models import Candidate, Marked, Waiting, WaveSummary


@task(name="import-survey-wave")
def import_survey_wave(wave: str, file: str, as_of: date) -> WaveSummary:
    with export_file(file) as path:
        report = import_wave(wave, path, as_of)
    forget_export(file)
    return WaveSummary(
        wave=report.wave.id, counted=report.counted,
        previous=report.previous, areas=report.areas_with_answers,
        candidates=[Candidate(area=c.area_id, factor=c.factor_id, rank=c.rank) for c in report.candidates],
        milestones_done=[Marked(area=a, milestone=m) for a, m in report.milestones_done],
        milestones_waiting=[Waiting(area=a, milestone=m, why=why) for a, m, why in report.milestones_waiting])


@task(name="publish-area-profiles")
def publish_area_profiles(areas: list[str]) -> list[str]:
    """Where each area's områdesprofil is read: its page on the web, made from the database when
    it is opened — no host keeps a copy that could go stale or be out of reach."""
    base = get_settings().web_base_url.rstrip("/")
    return [f"{base}/omrade/{area_id}/profil" for area_id in areas]

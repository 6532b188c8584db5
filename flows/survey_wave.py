"""A new CTC-enkät wave: import it, analyse it, publish where every area's profile is read and
mark the lägesanalys milestones the wave proves. Run when the analysis function has the export:
``file`` is a path the worker can read, or the reference ``ctc survey store FILE`` printed (the
export kept in the database, for a worker on another host)."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.common import day, per_tenant
from tasks.models import WaveSummary
from tasks.reporting import publish_status
from tasks.survey import import_survey_wave, publish_area_profiles


@flow(name="survey-wave", log_prints=True)
@per_tenant
def survey_wave(wave: str, file: str, as_of: date | None = None, tenant: str | None = None) -> WaveSummary:
    today = day(as_of)
    report = import_survey_wave(wave, file, today)
    report.profiles = publish_area_profiles(report.areas)
    print(f"wave {wave}: {report.counted} pupils in the published figures, {len(report.profiles)} area profiles, "
          f"{len(report.milestones_done)} milestones done")
    publish_status(today, "survey-wave", {
        "suggested": [f"{c.area}: {c.rank}. {c.factor}" for c in report.candidates],
        "profiles": report.profiles,
        "milestones_done": [f"{m.area}: {m.milestone}" for m in report.milestones_done],
        "milestones_waiting": [f"{m.area}: {m.milestone} – {m.why}" for m in report.milestones_waiting],
    }, wave=wave)
    return report

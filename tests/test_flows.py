"""The Prefect side: deployments as declared in prefect.yaml, real flow runs on a temporary
Prefect server, their artifacts, and `ctc serve` starting and stopping cleanly."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from cronsim import CronSim
from sqlmodel import col

from ctcflow.app.serve import deployment_specs, load_flow
from ctcflow.app.setup import init_database
from ctcflow.core.config import PROJECT_ROOT
from ctcflow.definition.loader import load_definitions
from demo.mailserver import LocalMailServer
from tests.conftest import Project

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST_DAY = date(2018, 9, 3)


def prefect_yaml() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    return loaded


def test_prefect_yaml_is_valid_for_prefect_and_every_schedule_is_explicit() -> None:
    """The deployments as `ctc deploy` reads them: each names a flow that loads, and each schedule
    is one Prefect's own schedule model accepts (the real server takes them in test_schedules)."""
    from prefect.client.schemas.schedules import CronSchedule

    specs = deployment_specs()
    assert {s["name"] for s in specs} == {"advance-phases", "phase-work", "phase-areas", "deadline-sweep",
                                          "deliver-notifications", "survey-wave", "ks-report", "report-pages"}
    for spec in specs:
        assert load_flow(spec["entrypoint"]).name == spec["name"]
        # a wave comes when it comes; a share of work when phase-work or ks-report hands one out
        assert bool(spec.get("schedules")) == (spec["name"] not in ("survey-wave", "phase-areas", "report-pages"))
        assert spec["work_pool"]["name"] == "ctcflow"
        for schedule in spec.get("schedules") or []:
            assert schedule["slug"] and schedule["timezone"] == "Europe/Stockholm" and schedule["active"] is True
            assert CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"]).cron == schedule["cron"]


def next_runs(deployment: str, after: datetime, count: int = 3) -> list[datetime]:
    spec = next(d for d in prefect_yaml()["deployments"] if d["name"] == deployment)
    runs = CronSim(spec["schedules"][0]["cron"], after)
    return [next(runs) for _ in range(count)]


def test_the_sweep_runs_weekday_mornings_on_stockholm_time_across_dst() -> None:
    # Friday before the end of summer time (2026-10-25): the next runs are Monday and Tuesday 06:30 local
    friday = datetime(2026, 10, 23, 12, 0, tzinfo=STOCKHOLM)
    runs = next_runs("deadline-sweep", friday)
    assert [(r.date().isoformat(), r.hour, r.minute) for r in runs] == [
        ("2026-10-26", 6, 30), ("2026-10-27", 6, 30), ("2026-10-28", 6, 30)]
    # the first delivery of a working day is at the briefs' hour (phases.yml), after every decision
    hour = load_definitions().process.notification_policy.brief.hour
    monday = [r for r in next_runs("deliver-notifications", friday, 30) if r.date().isoformat() == "2026-10-26"]
    assert [(r.hour, r.minute) for r in monday[:2]] == [(hour, 0), (hour, 30)]


@pytest.mark.usefixtures("prefect_server")
@pytest.mark.both_databases
def test_the_sweep_flow_sends_the_mornings_notices_and_publishes_the_status(project: Project,
                                                                            mail: LocalMailServer) -> None:
    from demo.prefect_server import artifact_of
    from flows.advance_phases import advance_phases
    from flows.deadline_sweep import deadline_sweep

    init_database(date(2018, 8, 1))
    opened = advance_phases(as_of=FIRST_DAY)
    swept = deadline_sweep(as_of=FIRST_DAY)
    again = deadline_sweep(as_of=FIRST_DAY)

    assert opened.new and swept.new and again.new == []
    # what goes at once went at once; everything else is in one brief per person
    assert any(m.subject.startswith("Ny fas i Bellevuegården") for m in mail.received)
    assert swept.delivery is not None and swept.delivery.briefs
    briefs = [m for m in mail.received if m.subject.startswith("CTC ")]
    assert sorted(m.to.split("@")[0] for m in briefs) == sorted(swept.delivery.briefs)
    assert "Kontaktperson och ambassadör utsedda" in mail.to("samordnare@test.example")[0].body

    status = artifact_of("ctc-malmo-status")
    assert status is not None
    rows = json.loads(str(status.data))
    bellevue = next(r for r in rows if r["område"] == "Bellevuegården/Lorensborg")
    assert bellevue["fas"] == "Mobilisering" and bellevue["sedan"] == "2018-09-03"
    summary = artifact_of("ctc-malmo-deadline-sweep")
    assert summary is not None and "Bevakning av tidsfrister" in str(summary.data)

    monday = deadline_sweep(as_of=date(2018, 9, 10))
    assert monday.delivery is not None and "samordnare" in monday.delivery.briefs
    assert mail.to("samordnare@test.example")[-1].subject.startswith("CTC vecka 37")


@pytest.mark.usefixtures("prefect_server")
def test_a_channel_kept_in_a_prefect_secret_block_is_used_and_a_missing_block_is_named(
        project: Project, mail: LocalMailServer) -> None:
    from prefect.blocks.system import Secret

    from ctcflow.app.jobs import sweep
    from db.engine import session_scope
    from db.models import Notification

    secret = mail.url("team-bellevue-secret@test.example")
    Secret(value=secret).save("ctc-team-bellevue", overwrite=True)  # type: ignore[arg-type]  # pydantic makes it a SecretStr
    project.edit("areas.yml", '"env:CTC_NOTIFY_TEAM_BELLEVUE"', '"secret:ctc-team-bellevue"')
    project.edit("areas.yml", '"env:CTC_NOTIFY_UL_BELLEVUE"', '"secret:ctc-no-such-block"')
    init_database(date(2018, 8, 1))
    sweep(FIRST_DAY)

    assert mail.to("team-bellevue-secret@test.example")
    with session_scope() as session:
        stuck = session.query(Notification).filter(col(Notification.status) == "pending").all()
    assert {n.recipient for n in stuck} == {"ul_bellevue"}
    assert all("secret:ctc-no-such-block: no Prefect Secret block named 'ctc-no-such-block'" in (n.last_error or "")
               for n in stuck)


@pytest.mark.usefixtures("prefect_server")
def test_the_survey_wave_flow_publishes_profiles_and_completes_the_analysis_milestones(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import select

    from ctcflow.cli.main import main
    from ctcflow.definition.loader import load_definitions
    from ctcflow.definition.survey import load_survey
    from ctcflow.engine.opening import open_phase
    from db.engine import session_scope
    from db.models import MilestoneInstance, StoredFile
    from demo.synthetic import Plan, synthetic_wave, write_export
    from flows.survey_wave import survey_wave

    init_database(date(2018, 8, 1))
    defs = load_definitions()
    with session_scope() as session:  # Hermodsdal has reached lägesanalys
        open_phase(session, defs, "hermodsdal_nydala_gullviksborg", "lagesanalys", 1, date(2019, 2, 1))
    path = tmp_path / "enkat2019.csv"
    write_export(synthetic_wave(load_survey(), defs.org, Plan(pupils=3000, seed=21)), str(path))

    # the export kept in the database, as for a worker on another host than the file
    assert main(["survey", "store", str(path)]) == 0
    reference = capsys.readouterr().out.split("file=")[1].strip()
    path.unlink()
    report = survey_wave(wave="2019", file=reference, as_of=date(2019, 4, 1))

    assert 2500 < report.counted <= 3000  # the pupils the published figures count: none kept beside them
    # a profile for each area with answers: the nine planned areas without a team have none
    assert report.profiles == [f"http://127.0.0.1:8000/omrade/{a.id}/profil" for a in defs.org.areas if a.people]
    assert not any(path.name == "profiles" for path in project.root.rglob("profiles"))
    with session_scope() as session:  # the pupil-level export is not kept once the wave is in
        assert session.execute(select(StoredFile)).all() == []
    assert [(m.area, m.milestone) for m in report.milestones_done] == [
        ("hermodsdal_nydala_gullviksborg", m) for m in ("enkat_genomford", "enkat_analyserad")]
    # the profile draft also needs the register data, which no survey can prove
    assert [(w.milestone, w.why) for w in report.milestones_waiting] == [
        ("omradesprofil_utkast", "omradesprofil_utkast depends on milestones not yet done: registerdata_sammanstalld")]
    with session_scope() as session:
        done = session.execute(select(MilestoneInstance).where(col(MilestoneInstance.status) == "done")).scalars().all()
    assert {(m.milestone_id, m.evidence, m.done_by) for m in done} == {
        (m, "CTC-enkät 2019", "analys") for m in ("enkat_genomford", "enkat_analyserad")}


@pytest.mark.usefixtures("prefect_server")
def test_the_ks_report_flow_sends_the_report_on_its_due_date_with_the_pdf_attached(project: Project,
                                                                                    mail: LocalMailServer) -> None:
    import hashlib

    from sqlalchemy import select

    from db.engine import session_scope
    from db.models import ReportArchive
    from flows.ks_report import ks_report

    init_database(date(2018, 8, 1))
    assert ks_report(as_of=date(2020, 4, 29)).sent == []  # the day before: nothing due yet
    result = ks_report(as_of=date(2020, 4, 30))
    again = ks_report(as_of=date(2020, 5, 4))

    assert [s.occasion for s in result.sent] == ["ks/2020"] and again.sent == []
    to_ks = mail.to("ks_kansli@test.example")
    assert len(to_ks) == 1 and to_ks[0].subject.startswith("Communities That Care i Malmö")
    [(name, content)] = to_ks[0].attachments
    with session_scope() as session:
        archived = session.execute(select(ReportArchive).where(col(ReportArchive.format) == "pdf")).scalars().one()
    assert name == archived.filename == "ks-rapport-2020-2020-04-30-sv.pdf"
    assert hashlib.sha256(content).hexdigest() == archived.sha256 and archived.sent_on == date(2020, 4, 30)
    assert set(archived.sent_to.split(",")) == {"ks_kansli", "samordnare"}
    assert len(mail.to("samordnare@test.example")) == 1

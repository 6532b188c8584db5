"""One area through all five phases with real Prefect flow runs and real data: a team missing
sectors is told so, a survey wave completes lägesanalys, one factor does not pass prioritering,
an uncovered factor holds the handlingsplan, low fidelity is flagged, the next wave opens a
revision and the first cycle's history stays."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.jobs import deliver
from ctcflow.app.plans import plan_programme
from ctcflow.app.progress import approve_phase, record_done
from ctcflow.app.setup import init_database
from ctcflow.app.survey import import_wave, record_decision
from ctcflow.cli.main import main
from ctcflow.core import calendar
from ctcflow.core.errors import CtcError
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from ctcflow.engine.instances import latest_phase_instance
from db.engine import session_scope
from db.models import MilestoneInstance, Notification, PhaseInstance, PlanProgramme
from demo.mailserver import LocalMailServer
from demo.synthetic import Plan, synthetic_wave, write_export
from tests.conftest import Project

AREA = "bellevuegarden_lorensborg"
FACTORS = ["konflikter_i_familjen", "tillganglighet_droger", "lag_skolanknytning"]



def briefed(mail: LocalMailServer, person: str, day: date, words: str) -> list[str]:
    """The day's briefs composed and delivered: the mails to ``person`` that mention ``words``."""
    deliver(day)
    return [m.body for m in mail.to(f"{person}@test.example") if words in m.body or words in m.subject]

def complete(phase_id: str, day: date, skip: tuple[str, ...] = ()) -> None:
    """Every open milestone of the area's phase done by its owner, in dependency order."""
    defs = load_definitions()
    with session_scope() as session:
        instance = latest_phase_instance(session, AREA, phase_id)
        assert instance is not None
        open_ids = set(session.execute(select(col(MilestoneInstance.milestone_id)).where(
            col(MilestoneInstance.phase_instance_id) == instance.id, col(MilestoneInstance.status) == "open")).scalars())
    pending = [m for m in defs.process.phase(phase_id).milestones if m.id in open_ids and m.id not in skip]
    while pending:
        ready = [m for m in pending if not set(m.depends_on) & {p.id for p in pending}]
        assert ready, [m.id for m in pending]
        for ms in ready:
            person = defs.org.people_with_role(ms.owner, day, AREA)[0]
            record_done(AREA, ms.id, by=person.id, as_of=day, evidence="protokoll" if ms.evidence_required else None,
                        note=None)
        pending = [m for m in pending if m not in ready]


def wave(tmp_path: Path, year: int, as_of: date) -> None:
    path = tmp_path / f"enkat{year}.csv"
    plan = Plan(pupils=3000, seed=year, planted={AREA: FACTORS})
    write_export(synthetic_wave(load_survey(), load_definitions().org, plan), str(path))
    import_wave(str(year), path, as_of)


def phase_ids(cycle: int) -> dict[str, date | None]:
    with session_scope() as session:
        rows = session.execute(select(col(PhaseInstance.phase_id), col(PhaseInstance.completed_on)).where(
            col(PhaseInstance.area_id) == AREA, col(PhaseInstance.cycle) == cycle)).tuples().all()
    return dict(rows)


@pytest.mark.usefixtures("prefect_server")
def fidelity_followed() -> str | None:
    """The evidence of the area's 'Programtrohet följd upp', once it is done."""
    with session_scope() as session:
        return session.execute(select(col(MilestoneInstance.evidence)).where(
            col(MilestoneInstance.area_id) == AREA, col(MilestoneInstance.milestone_id) == "programtrohet_foljd",
            col(MilestoneInstance.status) == "done")).scalar()


def test_an_area_goes_through_all_five_phases_with_its_phase_flows(project: Project, mail: LocalMailServer,
                                                                    tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from prefect.client.orchestration import get_client

    from flows.phases import phase_work, run_phase_flow

    project.edit("areas.yml", "team_sectors: [skola, forskola, socialtjanst, fritid, polis, civilsamhalle, boende]",
                 "team_sectors: [skola, socialtjanst, fritid, polis, civilsamhalle, boende]")
    init_database(date(2018, 8, 1))

    # mobilisering: the team lacks sectors, and the utvecklingsledare hears which
    day = date(2018, 9, 4)
    result = run_phase_flow(AREA, "mobilisering", day)
    assert result is not None
    [sectors] = [f for f in result.findings if f.check == "team_sectors"]
    assert "Förskola" in sectors.text and "Unga" in sectors.text and "Skola," not in sectors.text
    told = briefed(mail, "ul_bellevue", day, "sektorer saknas")  # in the day's brief, with its link
    assert len(told) == 1
    with session_scope() as session:  # the notice the brief carries names the sectors
        [body] = session.execute(select(col(Notification.body)).where(
            col(Notification.recipient) == "ul_bellevue", col(Notification.kind) == "phase_check")).scalars()
    assert "Förskola" in body
    complete("mobilisering", date(2019, 1, 15))
    approve_phase(AREA, "mobilisering", by="styrgrupp_bellevue", as_of=date(2019, 1, 15), note=None)

    # lägesanalys: no survey yet → the analysis function is told; the wave completes the analysis milestones
    day = date(2019, 1, 16)
    result = run_phase_flow(AREA, "lagesanalys", day)
    assert result is not None and [f.check for f in result.findings] == ["survey_wave"]
    assert briefed(mail, "analys", day, "enkätdata saknas")
    wave(tmp_path, 2019, date(2019, 3, 20))
    complete("lagesanalys", date(2019, 5, 2), skip=("enkat_genomford", "enkat_analyserad"))
    with session_scope() as session:
        done = session.execute(select(col(MilestoneInstance.milestone_id), col(MilestoneInstance.evidence)).where(
            col(MilestoneInstance.area_id) == AREA, col(MilestoneInstance.milestone_id).in_(
                ["enkat_genomford", "enkat_analyserad"]))).all()
    assert sorted(done) == [("enkat_analyserad", "CTC-enkät 2019"), ("enkat_genomford", "CTC-enkät 2019")]
    approve_phase(AREA, "lagesanalys", by="ul_bellevue", as_of=date(2019, 5, 2), note=None)

    # prioritering: the team is told of the suggestion; one factor is refused; without a decision the gate holds
    day = date(2019, 5, 3)
    result = run_phase_flow(AREA, "prioritering", day)
    assert result is not None
    [decision_missing] = [f for f in result.findings if f.check == "priority_decision"]
    assert decision_missing.blocks_gate and "Konflikter i familjen" in decision_missing.text
    with pytest.raises(CtcError, match="choose 2–5"):
        record_decision(AREA, "2019", ["konflikter_i_familjen"], by="team_bellevue", as_of=day, note=None)
    with pytest.raises(CtcError, match="beslut om 2–5 prioriterade faktorer saknas"):
        approve_phase(AREA, "prioritering", by="styrgrupp_bellevue", as_of=day, note=None)
    record_done(AREA, "prioriteringsworkshop", by="ul_bellevue", as_of=day, evidence=None, note=None)
    record_decision(AREA, "2019", FACTORS, by="team_bellevue", as_of=date(2019, 5, 20), note=None)
    complete("prioritering", date(2019, 6, 3))
    approve_phase(AREA, "prioritering", by="styrgrupp_bellevue", as_of=date(2019, 6, 4), note=None)

    # handlingsplan: a factor without a programme holds the gate, and the plan document says so
    plan_day = "2019-06-10"
    assert main(["plan", "programme", AREA, "--factor", "konflikter_i_familjen", "--programme", "komet",
                 "--by", "team_bellevue", "--as-of", plan_day]) == 0
    assert main(["plan", "programme", AREA, "--factor", "konflikter_i_familjen", "--programme", "abc",
                 "--by", "team_bellevue", "--as-of", plan_day]) == 0
    # a programme that does not target the factor is refused, with the ones that do
    with pytest.raises(CtcError, match="opp does not target tillganglighet_droger; programmes for "
                                       "tillganglighet_droger: stad"):
        plan_programme(AREA, "tillganglighet_droger", "opp", by="team_bellevue", as_of=date(2019, 6, 10), note=None)
    assert main(["plan", "goal", AREA, "--subject", "konflikter_i_familjen", "--target", "från 50 % till 40 %",
                 "--by", "team_bellevue", "--as-of", plan_day]) == 0
    complete("handlingsplan", date(2019, 9, 2))
    with pytest.raises(CtcError, match="utan program i handlingsplanen: Upplevd tillgång till droger, Låg motivation och anknytning till skolan"):
        approve_phase(AREA, "handlingsplan", by="styrgrupp_bellevue", as_of=date(2019, 9, 2), note=None)
    document = tmp_path / "plan.html"
    main(["plan", "show", AREA, "-o", str(document)])
    assert "Faktorer utan program: Upplevd tillgång till droger, Låg motivation" in document.read_text("utf-8")
    # who runs a programme, when and for how much: a budget that is no amount, or an end before
    # the start, is refused with what to write, and nothing is added
    for wrong, said in ((["--budget", "mycket"], "budget 'mycket' is not an amount in kronor"),
                        (["--from", "2019-10-01", "--until", "2019-09-01"], "ends (2019-09-01) before it starts")):
        assert main(["plan", "programme", AREA, "--factor", "tillganglighet_droger", "--programme", "stad",
                     "--by", "team_bellevue", "--as-of", "2019-09-02", *wrong]) == 2
        assert said in capsys.readouterr().err
    assert main(["plan", "programme", AREA, "--factor", "tillganglighet_droger", "--programme", "stad",
                 "--responsible", "Polisen och miljöförvaltningen", "--from", "2019-10-01", "--until", "2021-06-30",
                 "--budget", "250 000", "--by", "team_bellevue", "--as-of", "2019-09-02"]) == 0
    assert main(["plan", "programme", AREA, "--factor", "lag_skolanknytning", "--programme", "pals",
                 "--by", "team_bellevue", "--as-of", "2019-09-02"]) == 0
    main(["plan", "show", AREA, "-o", str(document)])
    text = re.sub(r"<[^>]+>", " ", document.read_text("utf-8"))
    assert re.search(r"Ansvarig\s+Polisen och miljöförvaltningen", text)
    assert re.search(r"Period\s+2019-10-01 – 2021-06-30", text) and re.search(r"Budget\s+250\xa0000 kr", text)
    assert "sammanlagt 250\xa0000 kr; för 3 program saknas budget" in text
    approve_phase(AREA, "handlingsplan", by="styrgrupp_bellevue", as_of=date(2019, 9, 3), note=None)

    # uppföljning: low fidelity is flagged to the utvecklingsledare
    assert main(["implementation", AREA, "pals", "--sessions-planned", "10", "--sessions-held", "8",
                 "--participants", "120", "--adherence", "0.6", "--by", "ul_bellevue",
                 "--as-of", "2020-02-03"]) == 0
    result = run_phase_flow(AREA, "uppfoljning", date(2020, 2, 4))
    assert result is not None
    assert [f.text for f in result.findings] == ["Låg programtrohet i PALS – Positiv atferd, støttende "
                                                       "læringsmiljø og samhandling: 60 % (lägst 75 %)"]
    assert briefed(mail, "ul_bellevue", date(2020, 2, 4), "låg programtrohet")
    # fidelity is followed up once every programme of the plan has a reported period: not yet
    assert fidelity_followed() is None
    with session_scope() as session:
        planned = sorted(set(session.execute(select(col(PlanProgramme.programme_id))
                                             .where(col(PlanProgramme.area_id) == AREA)).scalars()))
    for started in ("finansiering_sakrad", "program_startade"):  # what following fidelity up rests on
        assert main(["done", AREA, started, "--by", "samordnare", "--evidence", "https://malmo.se/beslut",
                     "--as-of", "2020-02-05"]) == 0
    for programme_id in [p for p in planned if p != "pals"]:
        assert main(["implementation", AREA, programme_id, "--sessions-planned", "10", "--sessions-held", "10",
                     "--participants", "30", "--adherence", "0.9", "--by", "team_bellevue",
                     "--as-of", "2020-02-05"]) == 0
    run_phase_flow(AREA, "uppfoljning", date(2020, 2, 5))
    evidence = fidelity_followed()
    assert evidence is not None and evidence.startswith("Genomförande redovisat: ")
    assert all(name in evidence for name in ("PALS", "2020-02-05")), evidence

    # the next wave reopens lägesanalys for a revision; the first cycle stays as it was
    first_cycle = phase_ids(1)
    wave(tmp_path, 2021, date(2021, 3, 22))
    batch = phase_work(as_of=date(2021, 3, 22))
    assert (AREA, "lagesanalys", 2) in [(o.area, o.phase, o.cycle) for o in batch.opened]
    assert phase_ids(1) == first_cycle and all(first_cycle[p] for p in
                                               ("mobilisering", "lagesanalys", "prioritering", "handlingsplan"))
    assert phase_ids(2)["lagesanalys"] is None

    # and the Prefect UI lists the runs by area and phase
    async def run_names() -> list[str]:
        async with get_client() as client:
            return [r.name for r in await client.read_flow_runs(limit=200)]

    import asyncio

    names = asyncio.run(run_names())
    for phase_id in ("mobilisering", "lagesanalys", "prioritering", "uppfoljning"):
        assert any(n.startswith(f"{phase_id} · {AREA} · ") for n in names), phase_id


def test_a_quiet_day_runs_no_per_area_flow(project: Project, mail: LocalMailServer) -> None:
    from ctcflow.app.jobs import phase_work

    init_database(date(2018, 8, 1))
    first = phase_work(date(2018, 9, 4))
    assert first.active_areas  # the first days tell the teams what they lack
    quiet = phase_work(calendar.add_business_days(date(2018, 9, 4), 1))
    assert quiet.enqueued == [] and quiet.active_areas == []


def test_check_validates_the_programme_catalogue(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert "programmes.yml: 13 programmes — ok" in capsys.readouterr().out
    project.edit("programmes.yml", "targets: [tillganglighet_droger, normer_positiva_till_droger_narsamhalle]",
                 "targets: [tillgang_till_droger]")
    assert main(["check"]) == 2
    assert "[stad] targets factors survey.yml does not define: tillgang_till_droger" in capsys.readouterr().err

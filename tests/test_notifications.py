"""The morning sweep end to end: a real SQLite file, a real SMTP server on loopback, apprise.

Malmö's areas start in September 2018 (Bellevuegården/Lorensborg on 2018-09-03), so the dates
below are days of their first phase, mobilisering.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.jobs import MorningPlan, compose, sweep
from ctcflow.app.progress import approve_phase, record_done
from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core import calendar
from ctcflow.definition.loader import load_definitions
from ctcflow.delivery.sender import deliver_pending
from db.engine import session_scope
from db.models import MilestoneInstance, Notification
from demo.mailserver import LocalMailServer
from tests.conftest import Project
from tests.https_sink import HttpsSink

pytestmark = pytest.mark.slow  # mornings run against a real SMTP server, some of them concurrently


BELLEVUE = "bellevuegarden_lorensborg"
FIRST_DAY = date(2018, 9, 3)  # Bellevuegården's start: mobilisering opens


def outbox() -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).order_by(col(Notification.id))).scalars())


def due_date(area_id: str, milestone_id: str) -> date:
    with session_scope() as session:
        due: date | None = session.execute(select(col(MilestoneInstance.due_date)).where(
            col(MilestoneInstance.area_id) == area_id, col(MilestoneInstance.milestone_id) == milestone_id)).scalar_one()
    assert due is not None
    return due


def ctc(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ctcflow.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=os.environ.copy())


@pytest.fixture
def city(project: Project, mail: LocalMailServer) -> LocalMailServer:
    init_database(date(2018, 8, 1))
    return mail


def test_first_morning_tells_the_team_of_the_new_phase_and_reminds_the_owner_in_one_brief(
        city: LocalMailServer) -> None:
    result = sweep(FIRST_DAY)

    assert {m.to for m in city.received} >= {"ul_bellevue@test.example", "team_bellevue@test.example",
                                             "samordnare@test.example"}
    # a new phase goes out at once, whole (phases.yml lists it as immediate)
    [phase_mail] = [m for m in city.to("team_bellevue@test.example") if m.subject.startswith("Ny fas")]
    assert phase_mail.subject == "Ny fas i Bellevuegården/Lorensborg: Mobilisering"
    assert "Kontaktperson och ambassadör utsedda" in phase_mail.body
    # kontaktperson_utsedd is due start + 2 weeks = 10 working days ahead, owned centrally: it is
    # in the samordnare's one brief of the day, not a mail of its own
    [brief] = city.to("samordnare@test.example")
    assert brief.subject.startswith("CTC vecka 36")  # the first brief of the week carries the week
    assert "KOMMER SNART" in brief.body
    assert "Påminnelse: Kontaktperson och ambassadör utsedda – senast måndag 17 september 2018" in brief.body
    rows = outbox()
    sent = [r for r in rows if r.status == "sent"]
    assert len(sent) == len(city.received) == len(result.briefs) + len([r for r in result.enqueued
                                                                        if r.status == "pending"])
    assert {r.status for r in rows} == {"sent", "briefed"}
    briefs = {r.id: r for r in sent if r.kind == "brief"}
    assert all(r.brief_id in briefs and briefs[r.brief_id].recipient == r.recipient
               for r in rows if r.status == "briefed")


def test_the_same_day_twice_sends_each_reminder_once(city: LocalMailServer) -> None:
    first = sweep(FIRST_DAY)
    again = sweep(FIRST_DAY)

    assert first.enqueued and not again.enqueued
    assert again.delivery is not None and again.delivery.sent == []
    assert len(city.received) == len(first.enqueued)


@pytest.mark.both_databases
def test_two_sweeps_at_once_send_each_reminder_once(city: LocalMailServer) -> None:
    day = date(2018, 11, 15)  # every area has reminders, overdue notices or escalations
    runs = [ctc("sweep", "--as-of", day.isoformat()) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert run.returncode == 0, err

    counts = Counter((m.to, m.subject) for m in city.received)
    assert len(counts) > 10
    assert max(counts.values()) == 1
    rows = outbox()
    assert len(city.received) == len([r for r in rows if r.status == "sent"])
    assert {r.status for r in rows} == {"sent", "briefed"}
    # one brief per person, and every notice decided is in exactly one of them
    briefs = Counter(r.recipient for r in rows if r.kind == "brief")
    assert briefs and max(briefs.values()) == 1
    assert all(r.brief_id is not None for r in rows if r.status == "briefed")


def test_overdue_work_climbs_only_above_its_owner_never_down_to_the_area(city: LocalMailServer) -> None:
    # kontaktperson_utsedd is owned by the central samordnare: nobody below them (the area's
    # utvecklingsledare) is told; the avdelningschef, the first role above, hears at the ladder's
    # first step (5 working days) — rolled up per area, as the chiefs and the board are told
    record_done(BELLEVUE, "avgransning", by="ul_bellevue", as_of=date(2018, 9, 10), evidence="karta", note=None)
    day = calendar.add_business_days(due_date(BELLEVUE, "kontaktperson_utsedd"), 12)
    sweep(day)  # the first sweep ever: twelve working days late

    about = {(r.kind, r.recipient) for r in outbox()
             if r.area_id == BELLEVUE and r.key.startswith(f"{BELLEVUE}/kontaktperson_utsedd#")}
    assert about == {("overdue", "samordnare")}
    assert not [m for m in city.to("ul_bellevue@test.example") if "Kontaktperson" in m.body]
    # the avdelningschef's escalations go out the day they happen (phases.yml: immediate): one
    # line for the area, naming the milestone, its owner and who answers for the area
    [chief] = [m for m in city.to("avdelningschef@test.example") if "Bellevuegården" in m.subject
               and "milstolp" in m.subject]
    assert chief.subject.startswith("Eskalering: Bellevuegården/Lorensborg: ")
    assert "Kontaktperson och ambassadör utsedda" in chief.body and "(Central samordnare)" in chief.body
    assert "Ansvariga: Utvecklingsledare:" in chief.body


def test_no_reminders_on_weekends_and_holidays_they_go_out_the_next_working_day(city: LocalMailServer) -> None:
    due = due_date(BELLEVUE, "kontaktperson_utsedd")  # 2018-09-17
    assert due == date(2018, 9, 17)
    three_before = calendar.add_business_days(due, -3)
    assert not sweep(date(2018, 9, 8)).decided  # a Saturday
    assert not sweep(date(2018, 12, 24)).decided  # julafton
    assert city.received == []
    sweep(three_before)
    assert any("Kontaktperson" in m.body for m in city.to("samordnare@test.example"))


def test_smtp_down_keeps_everything_pending_and_visible_until_it_is_back(city: LocalMailServer,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    city.stop()
    result = sweep(FIRST_DAY)
    assert result.delivery is not None and result.delivery.sent == []
    rows = [r for r in outbox() if r.status != "briefed"]  # the briefs and what goes at once
    assert rows and all(r.status == "pending" and r.attempts == 1 and r.last_error for r in rows)
    assert all(r.next_attempt_at > datetime.now(tz=UTC) for r in rows)

    assert main(["outbox", "--status", "failing", "--lang", "en"]) == 0
    listing = capsys.readouterr().out
    assert "Connection refused (connect at 127.0.0.1:" in listing and "passing fault" in listing
    assert "retried by themselves" in listing and "ctc outbox --retry" in listing

    city.start()
    assert deliver_pending().sent == []  # the backoff has not passed yet: no hammering
    report = deliver_pending(now=datetime.now(tz=UTC) + timedelta(hours=1))
    assert len(report.sent) == len(rows) == len(city.received)
    assert {r.status for r in outbox()} == {"sent", "briefed"}


def test_a_reference_that_resolves_to_nothing_fails_visibly_and_the_others_go_out(
        city: LocalMailServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CTC_NOTIFY_TEAM_BELLEVUE")
    assert main(["sweep", "--as-of", FIRST_DAY.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "env:CTC_NOTIFY_TEAM_BELLEVUE: the environment variable CTC_NOTIFY_TEAM_BELLEVUE is not set" in out

    stuck = [r for r in outbox() if r.status not in ("sent", "briefed")]
    assert [r.recipient for r in stuck] == ["team_bellevue"]
    assert "CTC_NOTIFY_TEAM_BELLEVUE" in (stuck[0].last_error or "")
    assert city.to("ul_bellevue@test.example") and not city.to("team_bellevue@test.example")


def test_a_crash_between_sending_and_recording_loses_nothing_and_repeats_only_the_message_in_flight(
        city: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> None:
    day = date(2018, 11, 15)
    sweep(day, MorningPlan(deliver=False))
    compose(day)
    total = len([r for r in outbox() if r.status == "pending"])
    assert total > 10
    monkeypatch.setenv("CTC_DELIVERY_WORKERS", "1")
    delivery = ctc("deliver", "--force", "--as-of", day.isoformat())

    def kill_on_third(_message: object) -> None:
        if len(city.received) == 3:
            os.kill(delivery.pid, signal.SIGKILL)  # accepted by SMTP, never recorded as sent

    city.on_message = kill_on_third
    delivery.communicate(timeout=120)
    assert delivery.returncode == -signal.SIGKILL
    city.on_message = None
    statuses = Counter(r.status for r in outbox())
    assert statuses["sent"] == 2 and statuses["sending"] >= 1

    # the crashed run was a process on this machine: its claims are handed back at once
    report = deliver_pending(workers=1)
    assert report.recovered == total - 2
    assert {r.status for r in outbox()} == {"sent", "briefed"}
    counts = Counter((m.to, m.subject) for m in city.received)
    assert len(counts) == total  # nothing lost
    assert sorted(counts.values())[-2:] == [1, 2]  # exactly one message twice: the one in flight
    assert len(city.received) == total + 1


def test_work_done_after_the_sweep_is_not_reminded(city: LocalMailServer) -> None:
    sweep(FIRST_DAY, MorningPlan(deliver=False))
    record_done(BELLEVUE, "kontaktperson_utsedd", by="samordnare", as_of=FIRST_DAY, evidence=None, note=None)
    report = deliver_pending()
    assert report.cancelled == 1
    assert not [m for m in city.received if "Kontaktperson" in m.subject and "Bellevue" in m.subject]


def test_a_dry_run_decides_and_prints_but_writes_and_sends_nothing(city: LocalMailServer,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "--as-of", "2018-10-15", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "område ej igång" in out and "provkörning" in out  # the areas' stalls climb, decided and printed
    assert outbox() == [] and city.received == []


def test_recipients_who_read_english_get_english(project: Project, mail: LocalMailServer) -> None:
    project.edit("areas.yml", 'role: omradesteam, notify: "env:CTC_NOTIFY_TEAM_BELLEVUE"',
                 'role: omradesteam, lang: en, notify: "env:CTC_NOTIFY_TEAM_BELLEVUE"')
    init_database(date(2018, 8, 1))
    sweep(FIRST_DAY)
    # deliveries run on several threads: compare what arrived, not the order it arrived in
    team = {m.subject for m in mail.to("team_bellevue@test.example")}
    lead = {m.subject for m in mail.to("ul_bellevue@test.example")}
    assert "New phase in Bellevuegården/Lorensborg: Mobilisation" in team and not any("Ny fas" in s for s in team)
    assert "Ny fas i Bellevuegården/Lorensborg: Mobilisering" in lead


def test_the_samordnare_s_first_brief_of_the_week_carries_the_week(city: LocalMailServer) -> None:
    sweep(date(2018, 10, 12))
    sweep(date(2018, 10, 15))
    sweep(date(2018, 10, 16))
    week = [m for m in city.to("samordnare@test.example") if m.subject.startswith("CTC vecka 42")]
    assert len(week) == 1
    body = week[0].body
    for heading in ("VECKANS LÄGE", "OMRÅDENA", "KLART DENNA VECKA", "FÖRSENAT", "ESKALERAT DENNA VECKA",
                    "UTSKICK SOM INTE GÅR FRAM"):
        assert heading in body
    assert "Bellevuegården/Lorensborg: Mobilisering" in body
    assert "Kontaktperson och ambassadör utsedda" in body
    # the next day's brief is the day's news only
    [tuesday] = [m for m in city.to("samordnare@test.example") if "16 oktober 2018" in m.subject]
    assert "VECKANS LÄGE" not in tuesday.body


def test_an_approved_phase_reaches_the_team_the_next_morning_with_its_deadlines(city: LocalMailServer) -> None:
    defs = load_definitions()
    day = date(2019, 3, 1)
    phase = defs.process.phase("mobilisering")
    pending = [m for m in phase.milestones]
    while pending:  # in dependency order, whoever owns each milestone
        progressed = []
        for ms in pending:
            if all(d not in {p.id for p in pending} for d in ms.depends_on):
                person = defs.org.people_with_role(ms.owner, day, BELLEVUE)[0]
                record_done(BELLEVUE, ms.id, by=person.id, as_of=day,
                            evidence="protokoll" if ms.evidence_required else None, note=None)
                progressed.append(ms)
        assert progressed
        pending = [m for m in pending if m not in progressed]
    approve_phase(BELLEVUE, "mobilisering", by="styrgrupp_bellevue", as_of=day, note=None)

    sweep(calendar.next_business_day(day + timedelta(days=1)))
    news = [m for m in city.to("team_bellevue@test.example") if m.subject.startswith("Ny fas")]
    assert [m.subject for m in news] == ["Ny fas i Bellevuegården/Lorensborg: Lägesanalys"]
    assert "Fasen godkänns av" in news[0].body and "2019" in news[0].body


@pytest.mark.filterwarnings("ignore:Unverified HTTPS request")
def test_a_team_on_microsoft_teams_gets_its_notice_as_an_adaptive_card(
        city: LocalMailServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    teams = HttpsSink(tmp_path).start()
    try:
        monkeypatch.setenv("CTC_NOTIFY_TEAM_BELLEVUE", teams.teams_url())
        sweep(FIRST_DAY)
    finally:
        teams.stop()
    assert len(teams.posts) == 1
    path, payload = teams.posts[0]
    assert path.startswith("/workflows/ctcworkflow/")
    card = json.dumps(payload, ensure_ascii=False)
    assert "Ny fas i Bellevuegården/Lorensborg: Mobilisering" in card
    assert not city.to("team_bellevue@test.example")
    assert {r.status for r in outbox()} == {"sent", "briefed"}


def test_check_names_the_channels_not_set_in_this_environment(
        city: LocalMailServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check"])
    assert "channels: 20 references — all env: ones are set" in capsys.readouterr().out
    monkeypatch.delenv("CTC_NOTIFY_STYRGRUPP_HERMODSDAL")
    main(["check"])
    out = capsys.readouterr().out
    assert "channels: 1 of 20 references are not set here" in out
    assert "env:CTC_NOTIFY_STYRGRUPP_HERMODSDAL  (styrgrupp_hermodsdal)" in out


def test_the_week_after_a_holiday_monday_covers_the_whole_time_since_the_last_one(city: LocalMailServer) -> None:
    sweep(date(2019, 4, 15))  # Monday
    sweep(date(2019, 4, 23))  # Tuesday after Easter Monday
    digests = [m for m in city.to("samordnare@test.example") if m.subject.startswith("CTC vecka")]
    assert len(digests) == 2
    assert "tisdag 16 april 2019 – tisdag 23 april 2019" in digests[1].body


def test_two_mornings_at_once_open_a_new_uppfoljning_cycle_once(city: LocalMailServer) -> None:
    from ctcflow.engine.opening import open_phase
    from db.models import PhaseInstance

    defs = load_definitions()
    with session_scope() as session:  # Bellevuegården reached uppföljning two years ago
        open_phase(session, defs, BELLEVUE, "uppfoljning", 1, date(2019, 3, 4))
    new_cycle = calendar.next_business_day(date(2021, 3, 4))
    runs = [ctc("sweep", "--as-of", new_cycle.isoformat()) for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err

    with session_scope() as session:
        cycles = session.execute(select(col(PhaseInstance.cycle)).where(
            col(PhaseInstance.area_id) == BELLEVUE, col(PhaseInstance.phase_id) == "uppfoljning")).scalars().all()
    assert sorted(cycles) == [1, 2]
    news = [m.subject for m in city.to("team_bellevue@test.example") if m.subject.startswith("Ny fas")]
    assert news.count("Ny fas i Bellevuegården/Lorensborg: Uppföljning (cykel 2)") == 1


def test_a_phase_a_concurrent_run_opened_first_is_not_opened_twice(project: Project) -> None:
    """The race itself, made certain: a competing run opens the new cycle between this run's
    reading and its insert."""
    import threading

    from sqlalchemy import event

    from ctcflow.app.jobs import open_phases_once
    from ctcflow.engine.opening import open_phase
    from db.engine import get_engine

    init_database(date(2018, 8, 1))
    defs = load_definitions()
    with session_scope() as session:
        open_phase(session, defs, BELLEVUE, "uppfoljning", 1, date(2019, 3, 4))
    day = calendar.next_business_day(date(2021, 3, 4))
    competitor: list[object] = []

    def compete_first(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("INSERT INTO phase_instance") and not competitor:
            competitor.append("started")
            thread = threading.Thread(target=lambda: competitor.append(open_phases_once(defs, day)))
            thread.start()
            thread.join()

    event.listen(get_engine(), "before_cursor_execute", compete_first)
    try:
        mine = open_phases_once(defs, day)
    finally:
        event.remove(get_engine(), "before_cursor_execute", compete_first)
    assert competitor == ["started", [(BELLEVUE, "uppfoljning", 2)]]
    assert mine == []

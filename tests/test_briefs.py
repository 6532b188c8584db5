"""One ranked brief per person: each notice in exactly one delivered brief, nothing about
finished work, nothing lost when a brief cannot be delivered — a real SQLite file and a real
SMTP server on loopback."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.jobs import MorningPlan, deliver, sweep
from ctcflow.app.progress import record_done
from ctcflow.app.setup import init_database
from ctcflow.core import calendar
from ctcflow.delivery.kinds import ESCALATION_KINDS
from db.engine import session_scope
from db.models import Notification
from demo.mailserver import LocalMailServer
from tests.conftest import Project, mornings

BELLEVUE = "bellevuegarden_lorensborg"
FIRST_DAY = date(2018, 9, 3)


def outbox() -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).order_by(col(Notification.id))).scalars())


@pytest.fixture
def city(project: Project, mail: LocalMailServer) -> LocalMailServer:
    init_database(date(2018, 8, 1))
    return mail


def test_a_brief_holds_each_item_once_and_each_thing_on_one_line(city: LocalMailServer) -> None:
    # two weeks of mornings in the autumn of 2018: reminders, overdue repeats and escalations of
    # the same milestones day after day
    mornings(date(2018, 10, 1), date(2018, 10, 12))
    rows = outbox()
    briefs = {r.id: r for r in rows if r.kind == "brief"}
    assert briefs and all(b.status == "sent" for b in briefs.values())
    assert max(Counter((b.recipient, b.as_of) for b in briefs.values()).values()) == 1  # one a day at most
    items = [r for r in rows if r.kind != "brief" and r.status == "briefed"]
    # every item in the brief of its own person, and of a day no earlier than it was decided
    assert items and all(briefs[r.brief_id].recipient == r.recipient and briefs[r.brief_id].as_of >= r.as_of
                         for r in items if r.brief_id is not None)
    assert all(r.brief_id is not None for r in items)
    # a thing told several times since the last brief (an overdue repeat and an escalation, say)
    # is one line of the brief
    for brief in briefs.values():
        lines = [line for line in brief.body.splitlines() if line.startswith("- ")]
        assert len(lines) == len(set(lines)), brief.body
    # and the mailbox agrees: one brief per person and day
    per_day = Counter((m.to, m.subject) for m in city.received if m.subject.startswith("CTC "))
    assert max(per_day.values()) == 1


def test_an_item_resolved_before_the_brief_is_left_out(city: LocalMailServer) -> None:
    sweep(FIRST_DAY, MorningPlan(deliver=False))
    [reminder] = [r for r in outbox() if r.recipient == "samordnare" and "Kontaktperson" in r.subject]
    assert reminder.status == "held"
    record_done(BELLEVUE, "kontaktperson_utsedd", by="samordnare", as_of=FIRST_DAY, evidence=None, note=None)
    deliver(FIRST_DAY)

    [brief] = city.to("samordnare@test.example")
    assert "Påminnelse: Kontaktperson" not in brief.body
    [row] = [r for r in outbox() if r.id == reminder.id]
    assert row.status == "cancelled" and row.brief_id is None


def test_a_brief_that_cannot_be_delivered_hands_its_items_to_the_next_one(city: LocalMailServer) -> None:
    city.stop()
    sweep(FIRST_DAY)  # the mail server is down: the briefs stay pending
    first = {r.id: r for r in outbox() if r.kind == "brief"}
    assert first and all(b.status == "pending" and b.attempts == 1 for b in first.values())
    carried = {r.id: r.recipient for r in outbox() if r.brief_id in first}
    assert carried

    city.start()
    next_day = calendar.add_business_days(FIRST_DAY, 1)
    sweep(next_day)
    rows = {r.id: r for r in outbox()}
    assert all(rows[i].status == "cancelled" for i in first)  # never sent, so never counted
    # each item of the undelivered brief is now in the next day's brief of the same person, sent
    for item_id, recipient in carried.items():
        its_brief = rows[rows[item_id].brief_id or 0]
        assert rows[item_id].status == "briefed"
        assert (its_brief.recipient, its_brief.as_of, its_brief.status) == (recipient, next_day, "sent")
    [brief] = [m for m in city.to("samordnare@test.example") if m.subject.startswith("CTC")]
    assert "Påminnelse: Kontaktperson och ambassadör utsedda" in brief.body


@pytest.mark.slow  # three weeks of mornings
def test_a_person_who_takes_the_brief_weekly_gets_one_a_week(project: Project, mail: LocalMailServer) -> None:
    project.edit("areas.yml", 'role: utvecklingsledare, notify: "env:CTC_NOTIFY_UL_BELLEVUE"',
                 'role: utvecklingsledare, brief: weekly, notify: "env:CTC_NOTIFY_UL_BELLEVUE"')
    init_database(date(2018, 8, 1))
    # the lead is in place, so the lead's own work is not waiting for it: reminders every week
    record_done(BELLEVUE, "utvecklingsledare_pa_plats", by="samordnare", as_of=date(2018, 9, 20), evidence="beslut",
                note=None)
    mornings(date(2018, 10, 1), date(2018, 10, 19))
    weekly = [m.subject for m in mail.to("ul_bellevue@test.example") if m.subject.startswith("CTC")]
    assert weekly and all(s.startswith("CTC veckobrev vecka") for s in weekly)
    assert len(weekly) == len({s.split(":")[0] for s in weekly}) == 3  # weeks 40, 41, 42
    # told on more days than that, all of it carried by the three
    told_on = {r.as_of for r in outbox() if r.recipient == "ul_bellevue" and r.kind != "brief"}
    assert len(told_on) > 3
    assert all(r.status in ("briefed", "held", "sent", "cancelled") for r in outbox() if r.recipient == "ul_bellevue")


def test_no_more_than_the_day_s_cap_goes_out_at_once(project: Project, mail: LocalMailServer) -> None:
    # a first sweep long after the start: every milestone is far overdue and escalated at once to
    # the avdelningschef, whose escalations phases.yml sends the day they happen — at most three
    init_database(date(2018, 8, 1))
    sweep(date(2019, 6, 3))
    alone = [m for m in mail.to("avdelningschef@test.example") if not m.subject.startswith("CTC")]
    briefs = [m for m in mail.to("avdelningschef@test.example") if m.subject.startswith("CTC")]
    assert len(alone) == 3 and len(briefs) == 1
    rows = [r for r in outbox() if r.recipient == "avdelningschef" and r.kind in ESCALATION_KINDS]
    assert len(rows) > 3 and Counter(r.status for r in rows) == {"sent": 3, "briefed": len(rows) - 3}
    # the areas never started: the chief hears of each area's stall, not of its milestones one by one
    assert {r.kind for r in rows} <= {"not_started", "vacancy", "area_late", "report_escalation"}

"""Delivery against a real SMTP server on loopback that misbehaves on purpose: each message
exactly once (or, where SMTP itself cannot tell, at most once more and recorded), nothing lost,
and every failure kept in the server's own words for the person who must act on it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html import escape, unescape

import pytest
from sqlalchemy import insert, select
from sqlmodel import col

from ctcflow.app.jobs import MorningPlan, compose, sweep
from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.core.config import reset_settings
from ctcflow.delivery import leases
from ctcflow.delivery.sender import DeliveryReport, deliver_pending
from db.engine import session_scope
from db.models import DeliveryEvent, DeliveryLock, Notification
from demo.mailserver import DROP, LocalMailServer, Received, SilentServer, loopback_url
from tests.conftest import Project

pytestmark = pytest.mark.slow  # delivery against a real SMTP server that misbehaves, runs racing each other


DAY = date(2018, 11, 15)  # every area has reminders, overdue notices or escalations


@pytest.fixture
def city(project: Project, mail: LocalMailServer) -> LocalMailServer:
    init_database(date(2018, 8, 1))
    return mail


def rows() -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).order_by(col(Notification.id))).scalars())


def events() -> list[DeliveryEvent]:
    with session_scope() as session:
        return list(session.execute(select(DeliveryEvent).order_by(col(DeliveryEvent.id))).scalars())


def the_morning(day: date = DAY) -> list[Notification]:
    """The day's decisions and briefs in the outbox, nothing sent yet: what is pending."""
    sweep(day, MorningPlan(deliver=False))
    compose(day)
    return [r for r in rows() if r.status == "pending"]


def many(count: int, recipient: str = "samordnare") -> list[int]:
    """``count`` messages to one person, due now."""
    now = datetime.now(tz=UTC)
    with session_scope() as session:
        session.execute(insert(Notification), [
            {"key": f"test/{i}", "kind": "reminder", "as_of": DAY, "recipient": recipient,
             "reference": "env:CTC_NOTIFY_SAMORDNARE", "subject": f"Meddelande {i}", "body": f"Text {i}",
             "status": "pending", "created_at": now, "next_attempt_at": now - timedelta(minutes=1)}
            for i in range(count)])
        return list(session.execute(select(col(Notification.id)).where(col(Notification.key).like("test/%"))).scalars())


def until(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Wait for a condition (never a fixed sleep): the machine may be busy."""
    done = threading.Event()
    deadline = datetime.now(tz=UTC) + timedelta(seconds=seconds)
    while not condition():
        assert datetime.now(tz=UTC) < deadline, f"timed out waiting for {what}"
        done.wait(0.02)


def copies(server: LocalMailServer) -> Counter[tuple[str, str]]:
    return Counter((m.to, m.subject) for m in server.received)


def later(hours: float = 1) -> datetime:
    return datetime.now(tz=UTC) + timedelta(hours=hours)


@pytest.mark.both_databases
def test_a_run_older_than_its_lease_keeps_its_messages_and_a_run_beside_it_sends_none_twice(
        city: LocalMailServer) -> None:
    ids = many(300)
    city.delay = 0.01  # a slow server: the run lives many leases long
    lease = timedelta(seconds=1)
    first: list[DeliveryReport] = []
    run = threading.Thread(target=lambda: first.append(deliver_pending(lease=lease, workers=1, batch=100)))
    run.start()
    until(lambda: len(city.received) >= 150, "the first run to be older than its lease")
    # a second run now: the scheduled one finds the run lock held; one beside it (as a sign-in
    # link's delivery is) takes back nothing the first run still holds
    scheduled = deliver_pending(lease=lease)
    beside = deliver_pending(lease=lease, only=ids)
    run.join()

    assert scheduled.busy and scheduled.outcomes == []
    assert beside.recovered == 0
    assert max(copies(city).values()) == 1 and len(city.received) == 300
    assert len(first[0].sent) + len(beside.sent) == 300  # each run counts only what it recorded
    sent = [r for r in rows() if r.status == "sent"]
    assert len(sent) == 300
    assert all(r.sent_at is not None and r.claimed_at is not None and r.claimed_at <= r.sent_at for r in sent)
    assert len({r.sent_at for r in sent}) > 250  # every send has its own time, not the run's start


def test_a_passing_refusal_keeps_the_server_s_words_and_is_retried_quietly(
        city: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> None:
    pending = the_morning()
    refused: set[tuple[str, str]] = set()

    def once(message: Received) -> str | None:
        if (message.to, message.subject) in refused:
            return None
        refused.add((message.to, message.subject))
        return "451 4.3.0 Try again later"

    city.reply = once
    report = deliver_pending()
    assert report.sent == [] and len(report.failed) == len(pending)
    failing = [r for r in rows() if r.status == "pending"]
    assert {(r.failure, r.failure_code) for r in failing} == {("temporary", 451)}
    assert all(r.last_error and r.last_error.startswith("451 4.3.0 Try again later (data at to ")
               for r in failing)
    assert main(["outbox", "--status", "failing", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "passing fault: 451 4.3.0 Try again later" in out and "retried by themselves" in out
    assert "Fix the channel" not in out

    again = deliver_pending(now=later())
    assert len(again.sent) == len(pending)
    assert max(copies(city).values()) == 1 and len(city.received) == len(pending)
    assert {r.status for r in rows()} == {"sent", "briefed"}
    assert all(r.failure is None and r.last_error is None for r in rows())
    # the failed attempt stays in each message's history
    assert Counter(e.what for e in events()) == {"failed": len(pending)}


def test_a_connection_dropped_after_data_repeats_that_one_message_and_says_so(
        city: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> None:
    pending = the_morning()
    dropped: list[Received] = []

    def drop_first(message: Received) -> str | None:
        if not dropped:
            dropped.append(message)
            return DROP  # kept by the server, the reply never comes
        return None

    city.reply = drop_first
    report = deliver_pending(workers=1)
    assert len(report.sent) == len(pending) - 1  # the others went out on a new connection
    [uncertain] = [r for r in rows() if r.status == "pending"]
    assert uncertain.failure == "temporary" and "may arrive twice" in (uncertain.last_error or "")

    deliver_pending(now=later())
    counts = copies(city)
    assert counts[(dropped[0].to, dropped[0].subject)] == 2
    assert sorted(counts.values()) == [1] * (len(pending) - 1) + [2]
    assert main(["outbox", "--status", "sent", "--lang", "en"]) == 0
    assert f"#{uncertain.id}" in capsys.readouterr().out.split("may arrive twice", 1)[0].rsplit("\n", 1)[-1]
    assert [(e.notification_id, e.what) for e in events()] == [(uncertain.id, "uncertain")]


def test_messages_not_tried_after_a_server_failed_twice_say_so_and_not_that_they_may_arrive_twice(
        city: LocalMailServer) -> None:
    pending = the_morning()
    dropped: list[Received] = []

    def drop_two(message: Received) -> str | None:
        if len(dropped) < 2:
            dropped.append(message)
            return DROP  # kept by the server, the reply never comes
        return None

    city.reply = drop_two
    deliver_pending(workers=1)
    waiting = [r for r in rows() if r.status == "pending"]
    assert len(waiting) == len(pending)  # two handed over without an answer; the server is then left alone
    uncertain = [r for r in waiting if "may arrive twice" in (r.last_error or "")]
    assert sorted((r.recipient, r.subject) for r in uncertain) == sorted(
        (m.to.split("@")[0], m.subject) for m in dropped)
    untried = [r for r in waiting if r not in uncertain]
    assert untried and all((r.last_error or "").startswith("not tried: the server closed the connection")
                           or (r.last_error or "").startswith("not tried: no answer") for r in untried), \
        [r.last_error for r in untried]


def test_a_killed_delivery_is_shown_at_once_and_handed_back_losing_nothing(
        city: LocalMailServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    pending = the_morning()
    monkeypatch.setenv("CTC_DELIVERY_WORKERS", "1")
    delivery = subprocess.Popen([sys.executable, "-m", "ctcflow.cli", "deliver", "--force"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())

    def kill_on_fourth(_message: Received) -> None:
        if len(city.received) == 4:
            os.kill(delivery.pid, signal.SIGKILL)  # accepted by the server, never recorded as sent

    city.on_message = kill_on_fourth
    delivery.communicate(timeout=120)
    city.on_message = None
    assert delivery.returncode == -signal.SIGKILL

    assert main(["outbox", "--status", "interrupted", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    stuck = [r for r in rows() if r.status == "sending"]
    assert stuck and all(f"{r.id} " in out for r in stuck) and "ctc outbox --release" in out
    assert main(["outbox", "--release"]) == 0
    assert f"{len(stuck)} " in capsys.readouterr().out

    deliver_pending(workers=1)
    counts = copies(city)
    assert len(counts) == len(pending)  # nothing lost
    assert sorted(counts.values())[-2:] == [1, 2]  # one twice: the message in flight
    history = Counter(e.what for e in events())
    assert history == {"interrupted": 1, "released": len(stuck) - 1}
    [twice] = [e for e in events() if e.what == "interrupted"]
    assert [r.subject for r in rows() if r.id == twice.notification_id] == \
        [s for (_, s), n in counts.items() if n == 2]


def test_a_server_that_never_answers_costs_one_timeout_per_run(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    with SilentServer() as silent:
        monkeypatch.setenv("CTC_NOTIFY_SAMORDNARE", loopback_url(silent.port, "s@test.example"))
        monkeypatch.setenv("CTC_DELIVERY_TIMEOUT_SECONDS", "1")
        reset_settings()
        init_database(date(2018, 8, 1))
        many(60)
        report = deliver_pending()
        assert report.sent == [] and len(report.failed) == 60
        assert len(silent.accepted) == 1
    texts = Counter((r.last_error or "").startswith("not tried: ") for r in rows())
    assert texts == {True: 59, False: 1}
    assert all("no answer (timed out) (connect at 127.0.0.1:" in (r.last_error or "") for r in rows())
    assert {r.status for r in rows()} == {"pending"}


def test_a_refused_address_waits_for_a_fix_and_the_samordnare_hears_whose_it_is(
        city: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> None:
    city.refuse = lambda address: ("550 5.1.1 <team_bellevue@test.example>: Recipient address rejected: "
                                   "User unknown") if address.startswith("team_bellevue@") else None
    first = date(2018, 9, 3)
    sweep(first)
    [refused] = [r for r in rows() if r.recipient == "team_bellevue" and r.status != "briefed"]
    assert (refused.status, refused.failure, refused.failure_code) == ("failed", "permanent", 550)
    assert deliver_pending(now=later(24)).outcomes == []  # a refusal is not retried by itself
    assert main(["outbox", "--retry", str(refused.id)]) == 0  # tried again by hand, still refused
    capsys.readouterr()
    assert main(["deliver", "--force", "--as-of", "2018-09-03", "--lang", "en"]) == 1  # something is not delivered
    assert ("sent: 0, failed and tried again later: 0, refused by the server (not tried again until the address "
            "is corrected): 1") in capsys.readouterr().out

    sweep(date(2018, 9, 4))
    [brief] = [m for m in city.to("samordnare@test.example") if "4 september" in m.subject]
    told = brief.body.split("UTSKICK SOM INTE GÅR FRAM (1)", 1)[1]
    assert "Till Områdesteamet Bellevuegården: 1 utskick väntar sedan måndag 3 september 2018" in told
    assert "adressen eller kanalen behöver rättas" in told
    assert "Servern svarade: 550 5.1.1 <team_bellevue@test.example>: Recipient address rejected: User unknown " \
           "(rcpt at to team_bellevue@test.example via 127.0.0.1:" in told
    assert "nås inte" in brief.subject

    assert main(["outbox", "--status", "failed", "--lang", "en"]) == 0
    assert "correct the person's address" in capsys.readouterr().out
    city.refuse = None  # the address was corrected
    assert main(["outbox", "--retry", str(refused.id)]) == 0
    deliver_pending()
    assert [m.subject for m in city.to("team_bellevue@test.example")] == [refused.subject]
    assert [(e.what, e.notification_id) for e in events()] == [("failed", refused.id)] * 2  # refused twice


@pytest.mark.both_databases
def test_one_delivery_at_a_time_and_the_one_running_takes_what_arrived_meanwhile(
        city: LocalMailServer, capsys: pytest.CaptureFixture[str]) -> None:
    pending = the_morning()
    elsewhere = "another-machine:4242"
    with session_scope() as session:
        session.add(DeliveryLock(name=leases.RUN_LOCK, holder=elsewhere, taken_at=datetime.now(tz=UTC),
                                 expires_at=later()))
    assert main(["deliver", "--force", "--lang", "en"]) == 0
    assert f"another delivery is running and sends the outbox ({elsewhere})" in capsys.readouterr().out
    assert city.received == []
    leases.let_go(elsewhere)

    arrived = threading.Event()

    def more_while_running(_message: Received) -> None:
        if not arrived.is_set():
            arrived.set()
            many(5)  # decided while the run holds the lock: it sends them before it lets go

    city.on_message = more_while_running
    report = deliver_pending()
    assert len(report.sent) == len(pending) + 5 == len(city.received)


def test_a_brief_arrives_from_the_municipality_s_ctc_with_its_words_in_text_and_html(
        city: LocalMailServer) -> None:
    """The brief a samordnare receives: from "CTC Malmö stad", its text part exactly as written,
    and an HTML part with the same lines where each long link is a short name leading to the
    same address."""
    the_morning()
    assert deliver_pending(sender_name="CTC Malmö stad").sent
    brief = next(m for m in city.received if m.to.startswith("samordnare@"))
    assert brief.sender.startswith("CTC Malmö stad <")
    assert brief.html.startswith("<!DOCTYPE html>") and '<html lang="sv">' in brief.html
    links = re.findall(r"https?://\S+", brief.body)
    assert links
    hrefs = re.findall(r'<a href="([^"]+)">([^<]+)</a>', brief.html)
    assert [unescape(href) for href, _ in hrefs] == [link.rstrip(".,;:)") for link in links]
    assert all(len(words) < 40 for _, words in hrefs), hrefs  # a name, not a 230-character address
    for line in brief.body.splitlines():  # every line the reader is told about is in the HTML too
        words = re.sub(r"https?://\S+", "", line).strip(" -:")
        if words:
            assert escape(words, quote=False) in brief.html, words

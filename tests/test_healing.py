"""Faults that heal: the database goes away in the middle of the morning's delivery and comes
back. What the mail server accepted is recorded once the database answers again (never sent a
second time because its record was lost), the delivery task's retry takes up its own run's lock
and claims (not "another run is sending", not rows left claimed), and everything is delivered —
each message once. A real PostgreSQL server stopped as in a crash, a real SMTP server, a real
Prefect flow run whose task retries as the deployed one does."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.jobs import MorningPlan, compose, sweep
from ctcflow.app.setup import init_database
from ctcflow.delivery.sender import DeliveryReport, deliver_pending
from db.engine import session_scope
from db.models import DeliveryEvent, Notification
from demo.mailserver import LocalMailServer, Received
from tests.conftest import Project

DAY = date(2018, 11, 15)


@pytest.mark.parametrize("project", ["postgresql"], indirect=True)
@pytest.mark.usefixtures("prefect_server")
def test_a_database_outage_mid_delivery_loses_nothing_and_sends_nothing_twice(
        project: Project, mail: LocalMailServer, postgres_cluster: Any) -> None:
    from prefect import flow, task

    init_database(date(2018, 8, 1))
    sweep(DAY, MorningPlan(deliver=False))
    compose(DAY)
    with session_scope() as session:
        pending = list(session.execute(select(col(Notification.id)).where(col(Notification.status) == "pending")).scalars())
    assert len(pending) > 10

    outages: list[str] = []
    back = threading.Event()

    def gone_for_a_while(when: str) -> None:
        """The database goes away as in a crash and is back three seconds later."""
        outages.append(when)
        back.clear()
        postgres_cluster.stop()
        def come_back() -> None:
            postgres_cluster.start()
            back.set()

        threading.Timer(3.0, come_back).start()

    def while_recording(_message: Received) -> None:
        """The second message is accepted — and before the server says so, the database is gone:
        its record has to wait for the database."""
        if len(mail.received) == 2 and not outages:
            gone_for_a_while("while a message the server accepted was to be recorded")

    def before_handing_over(_address: str) -> None:
        """The fifth message's recipient is given — and the database is gone before the message is
        marked as handed over: this attempt cannot go on, the task's retry must."""
        if len(mail.received) == 4 and len(outages) == 1:
            gone_for_a_while("before a message was handed over")

    mail.on_message = while_recording
    mail.refuse = lambda address: before_handing_over(address)
    attempts: list[int] = []

    @task(retries=2, retry_delay_seconds=6)  # as the deployed send-pending-notices task, sooner
    def send_pending() -> DeliveryReport:
        attempts.append(len(attempts) + 1)
        return deliver_pending(workers=1)  # one at a time: each outage meets the step it is meant for

    @flow
    def morning() -> DeliveryReport:
        return send_pending()

    report = morning()
    assert len(outages) == 2 and back.wait(60)
    assert attempts == [1, 2]  # the second outage failed the first attempt; its retry finished the work
    assert report.busy is None and len(report.sent) > 0  # the retry took up its own run's lock
    with session_scope() as session:
        statuses = Counter(session.execute(select(col(Notification.status)).where(col(Notification.id).in_(pending))).scalars())
        told = [e.what for e in session.execute(select(DeliveryEvent)).scalars()]
    assert statuses == {"sent": len(pending)}  # nothing left claimed, nothing lost
    received = Counter((m.to, m.subject) for m in mail.received)
    assert len(received) == len(pending) and set(received.values()) == {1}  # each once
    # the histories say only what happened: what the first attempt had claimed and not handed over
    # was handed back unsent; none says "may arrive twice"
    assert told and set(told) == {"released"}

"""The report calendar as a Prefect task: render, archive and put in the outbox what is due.
Idempotent — an occasion already sent is not open any more, and the outbox keys take each
recipient once — so Prefect may retry it."""

from __future__ import annotations

from datetime import date

from prefect import task

from ctcflow.app import jobs
from tasks.models import ReportSent, ReportsSummary


@task(name="send-due-reports", retries=2, retry_delay_seconds=60)
def send_due_reports(as_of: date) -> ReportsSummary:
    result = jobs.send_due_reports(as_of, deliver=False)
    return ReportsSummary(as_of=as_of, gaps=result.gaps,
                          sent=[ReportSent(occasion=key, recipients=people) for key, people in result.sent])

"""Deciding and sending notices: the outbox steps as Prefect tasks. Each is idempotent (the
outbox keys and delivery claims make a rerun harmless), so Prefect may retry them freely when
the database is briefly unavailable."""

from __future__ import annotations

from datetime import date

from prefect import task

from ctcflow.app import jobs
from tasks.models import DeliverySummary, SweepSummary


@task(name="open-phases-and-notify", retries=2, retry_delay_seconds=30)
def open_phases_and_notify(as_of: date) -> SweepSummary:
    """Open phases whose gate was approved (and new uppföljning cycles); tell the teams."""
    return SweepSummary.of(jobs.sweep(as_of, jobs.OPEN_PHASES))


@task(name="decide-deadline-notices", retries=2, retry_delay_seconds=30)
def decide_deadline_notices(as_of: date) -> SweepSummary:
    """One set-based evaluation of every open milestone in every area; new notices to the outbox."""
    return SweepSummary.of(jobs.sweep(as_of, jobs.DEADLINES))


@task(name="send-pending-notices", retries=2, retry_delay_seconds=30)
def send_pending_notices(as_of: date, force: bool = False, briefs: bool = True) -> DeliverySummary:
    """The day's briefs once their hour has come, then everything pending whose time has come;
    failures stay pending with their next attempt."""
    return DeliverySummary.of(jobs.deliver(as_of, force=force, briefs=briefs))

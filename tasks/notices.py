"""Deciding and sending notices: the outbox steps as Prefect tasks. Each is idempotent (the
outbox keys and delivery claims make a rerun harmless), so Prefect may retry them freely when
the database is briefly unavailable."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import task

from ctcflow import jobs
from ctcflow.delivery import DeliveryReport


def _summary(result: jobs.SweepResult) -> dict[str, Any]:
    return {
        "as_of": result.as_of.isoformat(),
        "business_day": result.business_day,
        "opened": [{"area": a, "phase": p, "cycle": c} for a, p, c in result.opened],
        "decided": len(result.planned),
        "new": [{"kind": p.kind, "area": p.area_id or "", "recipient": p.recipient, "subject": p.subject}
                for p in result.enqueued],
    }


@task(name="open-phases-and-notify", retries=2, retry_delay_seconds=30)
def open_phases_and_notify(as_of: date) -> dict[str, Any]:
    """Open phases whose gate was approved (and new uppföljning cycles); tell the teams."""
    return _summary(jobs.sweep(as_of, open_phases=True, deadlines=False, phase_work=False, deliver=False))


@task(name="decide-deadline-notices", retries=2, retry_delay_seconds=30)
def decide_deadline_notices(as_of: date) -> dict[str, Any]:
    """One set-based evaluation of every open milestone in every area; new notices to the outbox."""
    return _summary(jobs.sweep(as_of, open_phases=False, deadlines=True, phase_work=False, deliver=False))


@task(name="compose-weekly-digest", retries=2, retry_delay_seconds=30)
def compose_weekly_digest(as_of: date) -> dict[str, Any]:
    return _summary(jobs.sweep(as_of, open_phases=False, deadlines=False, digest=True, phase_work=False,
                               deliver=False))


@task(name="send-pending-notices", retries=2, retry_delay_seconds=30)
def send_pending_notices(as_of: date, force: bool = False) -> dict[str, Any]:
    """Everything pending whose time has come; failures stay pending with their next attempt."""
    report: DeliveryReport | None = jobs.deliver(as_of, force=force)
    if report is None:
        return {"skipped": "weekend or Swedish holiday", "sent": [], "failed": [], "recovered": 0, "cancelled": 0}
    return {
        "sent": [{"id": o.id, "kind": o.kind, "recipient": o.recipient, "subject": o.subject} for o in report.sent],
        "failed": [{"id": o.id, "recipient": o.recipient, "attempts": o.attempts, "error": o.error}
                   for o in report.failed],
        "recovered": report.recovered,
        "cancelled": report.cancelled,
    }

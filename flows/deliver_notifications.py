"""Send what is pending in the outbox; retries follow each row's backoff."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows.common import day, per_tenant
from tasks.models import DeliverySummary
from tasks.notices import send_pending_notices
from tasks.reporting import publish_status


@flow(name="deliver-notifications", log_prints=True)
@per_tenant
def deliver_notifications(as_of: date | None = None, force: bool = False, briefs: bool = True,
                          tenant: str | None = None) -> DeliverySummary:
    """Nothing is sent on weekends and Swedish holidays unless ``force``. The day's briefs are
    composed first (from their hour on) unless ``briefs`` is off: the early morning flows send
    only what goes at once, so the briefs wait for every decision of the day."""
    today = day(as_of)
    delivery = send_pending_notices(today, force, briefs)
    print(f"{today}: {len(delivery.sent)} sent, {len(delivery.failed)} failed (kept pending)")
    logger = get_run_logger()
    for failure in delivery.failed[:50]:
        logger.warning("delivery #%s to %s failed (attempt %s, retried later): %s",
                       failure.id, failure.recipient, failure.attempts, failure.error)
    publish_status(today, "deliveries", delivery.sections())
    return delivery

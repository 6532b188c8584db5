"""The outbox as the coordinator sees it: what was decided and sent, failures in the server's
words, claims of crashed runs, each message's history; retrying and handing back now."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlmodel import col

from ctcflow.core import calendar
from ctcflow.core.errors import CtcError
from ctcflow.core.templating import long_date
from ctcflow.core.words import say
from ctcflow.delivery.claims import hand_back, interrupted_ids
from ctcflow.delivery.state import failing_sql
from db.engine import require_current_schema, rows_affected, session_scope
from db.models import DeliveryEvent, Notification
from db.statuses import NoticeStatus

STATUSES = ("pending", "sending", "sent", "cancelled", "failed", "failing", "interrupted")


def outbox_rows(status: str | None, area_id: str | None, limit: int) -> list[Notification]:
    """Newest first; ``failing`` is every delivery that failed and waits (to be retried, or for
    someone); ``interrupted`` the claims of a run that died, not yet handed back."""
    require_current_schema()
    query = select(Notification).order_by(col(Notification.id).desc()).limit(limit)
    if area_id:
        query = query.where(col(Notification.area_id) == area_id)
    with session_scope() as session:
        if status == "failing":
            query = query.where(failing_sql())
        elif status == "interrupted":
            query = query.where(col(Notification.id).in_(interrupted_ids(session, datetime.now(tz=UTC))))
        elif status:
            query = query.where(col(Notification.status) == status)
        return list(session.execute(query).scalars())


def history(ids: list[int]) -> dict[int, list[DeliveryEvent]]:
    """Each message's failed attempts, hand-backs and possible duplicates, oldest first."""
    found: dict[int, list[DeliveryEvent]] = defaultdict(list)
    if not ids:
        return found
    with session_scope() as session:
        for event in session.execute(select(DeliveryEvent).where(col(DeliveryEvent.notification_id).in_(ids))
                                     .order_by(col(DeliveryEvent.id))).scalars():
            found[event.notification_id].append(event)
    return found


def _require_known(ids: list[int]) -> None:
    """Message numbers that are not in the outbox are a typing error, not "0 done"."""
    if not ids:
        return
    with session_scope() as session:
        known = set(session.execute(select(col(Notification.id)).where(col(Notification.id).in_(ids))).scalars())
    unknown = [str(i) for i in ids if i not in known]
    if unknown:
        raise CtcError(f"no message {', '.join(unknown)} in the outbox; `ctc outbox` lists them with their numbers")


def retry_now(ids: list[int]) -> int:
    """Make failed deliveries due at once — permanent ones too, once someone fixed the address
    (all that are failing when ``ids`` is empty)."""
    require_current_schema()
    _require_known(ids)
    query = update(Notification).where(col(Notification.status).in_((NoticeStatus.PENDING, NoticeStatus.FAILED)))
    query = query.where(col(Notification.id).in_(ids)) if ids else query.where(failing_sql())
    with session_scope() as session:
        return rows_affected(session.execute(
            query.values(status=NoticeStatus.PENDING, next_attempt_at=datetime.now(tz=UTC))))


def release(ids: list[int]) -> int:
    """Hand the claims of a crashed run back now (all of them when ``ids`` is empty); a live
    run's claims are never taken."""
    require_current_schema()
    _require_known(ids)
    with session_scope() as session:
        return hand_back(session, datetime.now(tz=UTC), ids or None)


@dataclass(frozen=True)
class Retried:
    """What "Försök igen nu" did, to be said as it happened: tried now (and how it went), or not
    on this weekend or holiday (and which day instead), or nothing waiting."""

    waiting: int  # the deliveries made due now
    sent: int = 0
    failed: int = 0
    next_day: date | None = None  # a weekend or holiday: tried on this working day
    busy: bool = False  # another delivery run holds the outbox and sends them

    def words(self, lang: str) -> str:
        if not self.waiting:
            return say(lang, "Nothing was waiting to be tried again.")
        if self.next_day is not None:
            return say(lang, "Nothing is sent on weekends and holidays: {n} deliveries are tried again on the next "
                             "working day, {day}.", n=self.waiting, day=long_date(self.next_day, lang))
        if self.busy:
            return say(lang, "{n} deliveries wait; another delivery run is sending the outbox right now and takes "
                             "them.", n=self.waiting)
        return say(lang, "{n} deliveries were tried again now: {sent} sent, {failed} failed again.",
                   n=self.waiting, sent=self.sent, failed=self.failed)


def failing_ids() -> list[int]:
    with session_scope() as session:
        return list(session.execute(select(col(Notification.id)).where(failing_sql())).scalars())


def retry_and_deliver(ids: list[int] | None, as_of: date) -> Retried:
    """Retry now what failed (``ids``; every failing delivery when None) and deliver — on a
    working day; on other days they wait for the next one, and that is what is said."""
    from ctcflow.app.jobs import deliver  # the delivery machinery only when something is tried

    wanted = failing_ids() if ids is None else ids
    if not wanted:
        return Retried(0)
    waiting = retry_now(wanted)
    report = deliver(as_of) if calendar.is_business_day(as_of) else None
    if report is None:
        return Retried(waiting, next_day=calendar.next_business_day(as_of))
    mine = [o for o in report.outcomes if o.id in set(wanted)]
    return Retried(waiting, sum(1 for o in mine if o.sent), sum(1 for o in mine if not o.sent),
                   busy=bool(report.busy))

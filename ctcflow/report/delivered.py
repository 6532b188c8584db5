"""Where a report's sending stands, per recipient, read from the outbox — the one rule that
decides whether a report may be called "sent".

Handing the report to the outbox is the samordnare's part (the occasion counts as answered, the
scheduled job does not send it again); *sent* is the mail server's part: a report is "sent" to a
person only once their server accepted it. Until then it is queued (for the next working day on
a weekend or holiday), being sent, failing and to be tried again, or refused — with the server's
own words, because that is what tells the samordnare what to do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlmodel import Session, col

from ctcflow.core.calendar import STOCKHOLM, is_business_day, next_business_day
from ctcflow.delivery.failures import SETUP
from ctcflow.delivery.kinds import NoticeKind
from db.models import Notification

QUEUED, SENDING, SENT, RETRYING, REFUSED, CANCELLED = "queued", "sending", "sent", "retrying", "refused", "cancelled"
BEFORE_PERIOD_END = " (sent before the period's end, as confirmed)"  # the event log's record of the choice
# the whole sending is as far as its least advanced delivery: one refusal makes it refused
_ORDER = (REFUSED, RETRYING, QUEUED, SENDING, CANCELLED, SENT)


def _local(moment: datetime | None) -> datetime | None:
    """A stored moment (naive means UTC, as the outbox writes it) on Stockholm's clock."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(STOCKHOLM)


@dataclass(frozen=True)
class Delivery:
    """One recipient's copy of the report."""

    id: int  # the outbox row
    person: str
    state: str  # QUEUED | SENDING | SENT | RETRYING | REFUSED | CANCELLED
    sent_at: datetime | None  # Stockholm time, when the server accepted it
    tried_next: datetime | None  # Stockholm time: not before then (queued or retrying)
    next_day: bool  # tried_next is a later working day, not today
    error: str | None  # the server's words, when it failed
    channel_wrong: bool  # the failure is the channel's (setup), not the address's


@dataclass(frozen=True)
class Sending:
    """Every copy of one rendering that went to the outbox."""

    deliveries: tuple[Delivery, ...]

    @property
    def state(self) -> str:
        return min((d.state for d in self.deliveries), key=_ORDER.index, default=QUEUED)

    @property
    def sent(self) -> bool:
        """Accepted by the server for every recipient: the only state to call "sent"."""
        return bool(self.deliveries) and all(d.state in (SENT, CANCELLED) for d in self.deliveries) \
            and any(d.state == SENT for d in self.deliveries)

    @property
    def sent_at(self) -> datetime | None:
        """When the last copy was accepted (once all were)."""
        return max((d.sent_at for d in self.deliveries if d.sent_at), default=None) if self.sent else None

    @property
    def tried_next(self) -> datetime | None:
        waiting = [d.tried_next for d in self.deliveries if d.state in (QUEUED, RETRYING) and d.tried_next]
        return min(waiting, default=None)

    @property
    def next_day(self) -> bool:
        return any(d.next_day for d in self.deliveries if d.state in (QUEUED, RETRYING))

    def failing(self) -> list[int]:
        """The outbox rows to try again: refused, or failed and waiting for their next attempt."""
        return [d.id for d in self.deliveries if d.state in (REFUSED, RETRYING)]


def delivery_of(row: Notification, as_of: date, now: datetime) -> Delivery:
    """One outbox row as a recipient's delivery. A message waiting on a weekend or holiday
    (``as_of``) goes on the next working day; one that failed, at its next attempt."""
    state = {"sent": SENT, "sending": SENDING, "failed": REFUSED, "cancelled": CANCELLED}.get(
        row.status, RETRYING if row.failure else QUEUED)
    tried_next = None
    next_day = False
    if state in (QUEUED, RETRYING):
        attempt, clock = _local(row.next_attempt_at), now.astimezone(STOCKHOLM)
        assert attempt is not None
        moment = max(attempt, clock)
        # days ahead on the clock, counted from the day the process is on (the same in production)
        day = as_of + (moment.date() - clock.date())
        if not is_business_day(day):
            day = next_business_day(day)
        next_day = day != as_of
        if next_day:  # the day only: the delivery runs of that day take it
            tried_next = datetime.combine(day, time(), STOCKHOLM)
        elif attempt > clock:  # a retry waits for its time today
            tried_next = attempt
        # else: due now — the next delivery run takes it (tried_next None)
    assert row.id is not None
    return Delivery(row.id, row.recipient, state, _local(row.sent_at), tried_next, next_day, row.last_error,
                    row.failure == SETUP)


def sendings(session: Session, archive_ids: Collection[int], as_of: date,
             now: datetime | None = None) -> dict[int, Sending]:
    """archive id of the attached file → its sending, for the files that were sent at all."""
    if not archive_ids:
        return {}
    moment = now or datetime.now(tz=UTC)
    found: dict[int, list[Delivery]] = defaultdict(list)
    rows = session.execute(select(Notification).where(col(Notification.kind) == NoticeKind.REPORT,
                                                      col(Notification.attachment_id).in_(list(archive_ids)))
                           .order_by(col(Notification.recipient))).scalars()
    for row in rows:
        assert row.attachment_id is not None
        found[row.attachment_id].append(delivery_of(row, as_of, moment))
    return {archive_id: Sending(tuple(found[archive_id])) for archive_id in found}


def latest(by_file: dict[int, Sending], file_ids: Collection[int]) -> Sending | None:
    """The newest sending among a report's files (a new version sent after an earlier one)."""
    ids = [i for i in file_ids if i in by_file]
    return by_file[max(ids)] if ids else None

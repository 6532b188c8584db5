"""What became of each message: recorded, each in its own commit, and only while the row is still
the run's — so a crash loses at most what is in flight and a run counts only its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, insert, update

from ctcflow.delivery.failures import Failure
from db.engine import get_engine, rows_affected, through_blips
from db.models import DeliveryEvent, Notification
from db.statuses import NoticeStatus

FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    wait: timedelta = min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)
    return wait


@dataclass(frozen=True)
class Outcome:
    id: int
    key: str
    kind: str
    recipient: str
    subject: str
    sent: bool
    error: str | None = None
    attempts: int = 0
    failure: str | None = None  # temporary | permanent | setup
    code: int | None = None


@dataclass
class DeliveryReport:
    outcomes: list[Outcome] = field(default_factory=list)
    recovered: int = 0  # claims of runs that died, handed back
    cancelled: int = 0
    briefs: list[str] = field(default_factory=list)  # whose brief was composed just before
    busy: str | None = None  # another run was sending: who (it sends what this run would have)

    @property
    def sent(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sent]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.sent]


# The two statements every message runs, built once (a statement built per message costs more
# than the database's own work): conditional on the row still being the run's.
_OUTBOX = Notification.__table__  # type: ignore[attr-defined]
_MINE = and_(_OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.claim == bindparam("b_token"))
_RELEASED = {"claim": None, "claim_holder": None, "lease_until": None, "in_flight_at": None,
             "attempts": _OUTBOX.c.attempts + 1}
_IN_FLIGHT = (update(_OUTBOX).where(_MINE, _OUTBOX.c.status == NoticeStatus.SENDING)
              .values(in_flight_at=bindparam("b_at")))
_SENT = update(_OUTBOX).where(_MINE).values(status=NoticeStatus.SENT, sent_at=bindparam("b_at"), last_error=None,
                                            failure=None, failure_code=None, failing_since=None, **_RELEASED)
_FAILED = update(_OUTBOX).where(_MINE).values(
    status=bindparam("b_status"), last_error=bindparam("b_error"), failure=bindparam("b_kind"),
    failure_code=bindparam("b_code"), failing_since=func.coalesce(_OUTBOX.c.failing_since, bindparam("b_at")),
    next_attempt_at=bindparam("b_next"), **_RELEASED)


def mark_in_flight(row_id: int | None, token: str, at: datetime) -> bool:
    """The row is handed to the channel now: only if it is still the run's."""
    with get_engine().begin() as connection:
        return bool(rows_affected(connection.execute(_IN_FLIGHT, {"b_id": row_id, "b_token": token, "b_at": at})))


def record(row: Notification, failure: Failure | None, token: str, now: datetime,
           patience: timedelta = timedelta(0)) -> Outcome | None:
    """The outcome, in its own commit (a crash loses at most what is in flight); None when the
    row was no longer this run's — another run's outcome, not counted here. A database that is
    away is waited for, up to ``patience`` (the run's lease): a message the server accepted
    whose record was lost would be sent again."""
    attempts = row.attempts + 1
    mine = {"b_id": row.id, "b_token": token, "b_at": now}

    def write() -> int:
        with get_engine().begin() as connection:
            if failure is None:
                return rows_affected(connection.execute(_SENT, mine))
            done = rows_affected(connection.execute(_FAILED, {
                **mine, "b_status": failure.status, "b_error": failure.text[:2000], "b_kind": failure.kind,
                "b_code": failure.code, "b_next": now + backoff(attempts)}))
            if done:
                connection.execute(insert(DeliveryEvent).values(
                    notification_id=row.id, at=now, what="uncertain" if failure.uncertain else "failed",
                    detail=failure.text[:2000]))
            return done

    recorded = through_blips(write, patience.total_seconds())
    if not recorded:
        return None
    assert row.id is not None
    return Outcome(row.id, row.key, row.kind, row.recipient, row.subject, failure is None,
                   None if failure is None else failure.text, attempts,
                   None if failure is None else failure.kind, None if failure is None else failure.code)

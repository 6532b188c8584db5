"""Sending the outbox: claim, send, record — each message marked sent exactly once.

One run at a time (ctcflow.delivery.leases: a lock row under a lease; a run that finds it held
leaves the sending to the holder, which looks once more for new work before it lets go — a
sign-in link's own delivery goes beside it). A run hands back the claims of runs that died,
cancels notices whose milestone was done (or phase approved) since they were decided, then
claims batches with a conditional UPDATE under a lease its heartbeat renews. Workers send —
mail over SMTP connections they keep open (ctcflow.delivery.smtp), every other channel through
apprise — and each outcome is recorded in its own small transaction, counted by the run only
if the row was still its own. Just before a message is handed over it is marked *in flight*
(again only if still the run's): a crash can therefore leave at most the messages in flight
unrecorded — those are sent again and their history says they may have arrived twice, the only
duplicates SMTP itself cannot prevent — and loses nothing. A failure keeps the server's words,
its kind and the next attempt (exponential backoff, at most six hours apart); a permanent one
waits for someone to fix the address. A delivery is never given up silently.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import apprise
from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlmodel import col

from ctcflow.core.config import get_settings
from ctcflow.core.links import Links
from ctcflow.delivery import leases
from ctcflow.delivery.channels import ChannelError, resolve
from ctcflow.delivery.claims import cancel_obsolete, claim, hand_back, release_unsent
from ctcflow.delivery.failures import SETUP, Failure
from ctcflow.delivery.smtp import Attachment, Gate, LostClaim, Mailer, MailRoute, attachment_files, mail_route
from db.engine import get_engine, rows_affected, session_scope
from db.models import DeliveryEvent, Notification, ReportArchive

FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


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


class _ThreadLog(logging.Handler):
    """apprise reports why a send failed only through logging: keep each thread's lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(self.local, "lines", None)
        if lines is not None and record.levelno >= logging.WARNING:
            lines.append(record.getMessage())

    def start(self) -> None:
        self.local.lines = []

    def lines(self) -> list[str]:
        return list(getattr(self.local, "lines", None) or [])


_APPRISE_LOG = _ThreadLog()
logging.getLogger("apprise").addHandler(_APPRISE_LOG)


def send_apprise(url: str, subject: str, body: str, attachments: Sequence[Attachment] = ()) -> str | None:
    """Send one message through apprise; None when it went out, else apprise's reason."""
    _APPRISE_LOG.start()
    sender = apprise.Apprise()
    if not sender.add(url):
        return "not a valid apprise URL (check the scheme and its parameters)"
    with attachment_files(attachments) as attach:
        if sender.notify(title=subject, body=body, body_format=apprise.NotifyFormat.TEXT, attach=attach):
            return None
    return "; ".join(_APPRISE_LOG.lines()[-2:]) or "the channel refused the message"


Sender = Callable[..., "str | None"]  # (url, subject, body[, attachments=...]) → None or the reason
MAX_ROUNDS = 10  # a run looks again for work that arrived while it held the lock, this many times


@dataclass
class _Run:
    """What the workers of one run share."""

    token: str
    clock: leases.Clock
    heartbeat: leases.Heartbeat
    gate: Gate
    sender: Sender
    links: Links
    attachments: dict[int, Attachment]
    urls: dict[str, str] = field(default_factory=dict)  # reference → URL, resolved once per run
    routes: dict[str, MailRoute | None] = field(default_factory=dict)  # URL → its SMTP route (None: apprise)


# The two statements every message runs, built once (a statement built per message costs more
# than the database's own work): conditional on the row still being the run's.
_OUTBOX = Notification.__table__  # type: ignore[attr-defined]
_MINE = and_(_OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.claim == bindparam("b_token"))
_RELEASED = {"claim": None, "claim_holder": None, "lease_until": None, "in_flight_at": None,
             "attempts": _OUTBOX.c.attempts + 1}
_IN_FLIGHT = update(_OUTBOX).where(_MINE, _OUTBOX.c.status == "sending").values(in_flight_at=bindparam("b_at"))
_SENT = update(_OUTBOX).where(_MINE).values(status="sent", sent_at=bindparam("b_at"), last_error=None, failure=None,
                                            failure_code=None, failing_since=None, **_RELEASED)
_FAILED = update(_OUTBOX).where(_MINE).values(
    status=bindparam("b_status"), last_error=bindparam("b_error"), failure=bindparam("b_kind"),
    failure_code=bindparam("b_code"), failing_since=func.coalesce(_OUTBOX.c.failing_since, bindparam("b_at")),
    next_attempt_at=bindparam("b_next"), **_RELEASED)


def _hand_over(run: _Run, row: Notification) -> bool:
    """Mark the row in flight — only while the run's lease is safe and the row still its own."""
    if not run.heartbeat.alive():
        return False
    with get_engine().begin() as connection:
        return bool(rows_affected(connection.execute(
            _IN_FLIGHT, {"b_id": row.id, "b_token": run.token, "b_at": run.clock()})))


def _send_one(run: _Run, row: Notification, mailer: Mailer) -> Failure | None:
    try:
        url = run.urls.get(row.reference) or resolve(row.reference)
    except ChannelError as exc:
        return Failure(str(exc), SETUP)
    run.urls[row.reference] = url
    attached: list[Attachment] = []
    if row.attachment_id is not None:
        if row.attachment_id not in run.attachments:
            return Failure(f"the archived report {row.attachment_id} to attach is missing", SETUP)
        attached.append(run.attachments[row.attachment_id])
    body = run.links.resolve(row.body)  # the message's links are signed now, as it leaves
    if url not in run.routes:
        run.routes[url] = mail_route(url)
    route = run.routes[url]
    if route is not None:
        return mailer.send(route, row.subject, body, attached, lambda: _hand_over(run, row))
    if not _hand_over(run, row):
        raise LostClaim()
    try:
        error = run.sender(url, row.subject, body, attachments=attached) if attached else \
            run.sender(url, row.subject, body)
    except Exception as exc:  # a channel plugin's bug must not stop the other deliveries
        error = f"{type(exc).__name__}: {exc}"
    if error is None:
        return None
    return Failure(error, SETUP if error.startswith("not a valid apprise URL") else "temporary")


def _record(row: Notification, failure: Failure | None, token: str, now: datetime) -> Outcome | None:
    """The outcome, in its own commit (a crash loses at most what is in flight); None when the
    row was no longer this run's — another run's outcome, not counted here."""
    attempts = row.attempts + 1
    mine = {"b_id": row.id, "b_token": token, "b_at": now}
    with get_engine().begin() as connection:
        if failure is None:
            recorded = rows_affected(connection.execute(_SENT, mine))
        else:
            recorded = rows_affected(connection.execute(_FAILED, {
                **mine, "b_status": failure.status, "b_error": failure.text[:2000], "b_kind": failure.kind,
                "b_code": failure.code, "b_next": now + backoff(attempts)}))
            if recorded:
                connection.execute(insert(DeliveryEvent).values(
                    notification_id=row.id, at=now, what="uncertain" if failure.uncertain else "failed",
                    detail=failure.text[:2000]))
    if not recorded:
        return None
    assert row.id is not None
    return Outcome(row.id, row.key, row.kind, row.recipient, row.subject, failure is None,
                   None if failure is None else failure.text, attempts,
                   None if failure is None else failure.kind, None if failure is None else failure.code)


def _deliver(run: _Run, row: Notification, mailer: Mailer) -> Outcome | None:
    try:
        failure = _send_one(run, row, mailer)
    except LostClaim:
        return None  # handed back (or taken by another run): not this run's to send
    return _record(row, failure, run.token, run.clock())


class _Workers:
    """Threads that keep their SMTP connections for the whole run."""

    def __init__(self, count: int, gate: Gate) -> None:
        self._local = threading.local()
        self._mailers: list[Mailer] = []
        self._guard = threading.Lock()
        self.gate = gate
        self.pool = ThreadPoolExecutor(max_workers=max(count, 1), thread_name_prefix="ctc-send",
                                       initializer=self._start)

    def _start(self) -> None:
        self._local.mailer = Mailer(self.gate)
        with self._guard:
            self._mailers.append(self._local.mailer)

    def _deliver(self, run: _Run, row: Notification) -> Outcome | None:
        return _deliver(run, row, self._local.mailer)

    def run(self, run: _Run, rows: Sequence[Notification]) -> list[Outcome]:
        futures = [self.pool.submit(self._deliver, run, row) for row in rows]
        return [outcome for future in as_completed(futures) if (outcome := future.result()) is not None]

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for mailer in self._mailers:
            mailer.close()


def _claim_batch(run_clock: leases.Clock, lease: timedelta, name: str, batch: int,
                 only: list[int] | None) -> tuple[str, list[Notification], dict[int, Attachment]]:
    with session_scope() as session:
        token = claim(session, run_clock(), lease, name, batch, only)
        rows = list(session.execute(select(Notification).where(col(Notification.claim) == token)
                                    .order_by(col(Notification.id))).scalars())
        wanted = {r.attachment_id for r in rows if r.attachment_id is not None}
        attachments = {i: (name_, bytes(content)) for i, name_, content in session.execute(
            select(col(ReportArchive.id), col(ReportArchive.filename), col(ReportArchive.content))
            .where(col(ReportArchive.id).in_(wanted)))} if wanted else {}
    return token, rows, attachments


def _drain(report: DeliveryReport, clock: leases.Clock, lease: timedelta, name: str, *, batch: int, workers: int,
           sender: Sender, only: list[int] | None, lock: str | None) -> None:
    settings = get_settings()
    gate = Gate(settings.delivery_timeout_seconds)
    links = Links(settings)
    pool = _Workers(workers, gate)
    try:
        with leases.Heartbeat(clock, lease, name, lock) as heartbeat:
            with session_scope() as session:
                report.recovered += hand_back(session, clock())
                report.cancelled += cancel_obsolete(session)
            while heartbeat.alive():
                now = clock()
                token, rows, attachments = _claim_batch(clock, lease, name, batch, only)
                if not rows:
                    return
                heartbeat.hold(token, now + lease)
                try:
                    report.outcomes += pool.run(_Run(token, clock, heartbeat, gate, sender, links, attachments), rows)
                finally:
                    heartbeat.drop(token)
                    release_unsent(token)
    finally:
        pool.close()


def _anything_due(now: datetime) -> bool:
    with session_scope() as session:
        return session.execute(select(col(Notification.id)).where(
            col(Notification.status) == "pending", col(Notification.next_attempt_at) <= now).limit(1)).first() \
            is not None


def deliver_pending(now: datetime | None = None, *, batch: int = 200, workers: int | None = None,
                    lease: timedelta | None = None, sender: Sender = send_apprise,
                    only: list[int] | None = None, clock: leases.Clock | None = None) -> DeliveryReport:
    """Send everything pending whose time has come; returns what this run did with each message.

    ``now`` runs the delivery as if at that moment (a replay, a test); ``clock`` replaces the
    clock altogether. ``only`` sends just those rows, beside any run (a sign-in link at once)."""
    settings = get_settings()
    clock = clock or leases.shifted_clock(now)
    lease = lease or timedelta(seconds=settings.delivery_lease_seconds)
    workers = workers or settings.delivery_workers
    name = leases.holder()
    report = DeliveryReport()
    if only is not None:
        _drain(report, clock, lease, name, batch=batch, workers=workers, sender=sender, only=only, lock=None)
        return report
    for _ in range(MAX_ROUNDS):
        busy = leases.take_lock(clock, lease, name)
        if busy is not None:
            report.busy = busy
            return report
        try:
            _drain(report, clock, lease, name, batch=batch, workers=workers, sender=sender, only=None,
                   lock=leases.RUN_LOCK)
        finally:
            leases.let_go(name)
        if not _anything_due(clock()):
            break
    return report

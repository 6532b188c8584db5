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

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from ctcflow.core.config import get_settings
from ctcflow.core.links import Links
from ctcflow.core.scope import carried
from ctcflow.delivery import leases
from ctcflow.delivery.channels import ChannelError, resolve
from ctcflow.delivery.claims import cancel_obsolete, claim, hand_back, release_unsent
from ctcflow.delivery.failures import SETUP, Failure
from ctcflow.delivery.outcomes import DeliveryReport, Outcome, mark_in_flight, record
from ctcflow.delivery.servers import Gate
from ctcflow.delivery.smtp import Attachment, LostClaim, Mailer, MailRoute, mail_route
from ctcflow.delivery.via_apprise import Sender, send_apprise
from db.engine import session_scope
from db.models import Notification, ReportArchive
from db.statuses import NoticeStatus

__all__ = ["DeliveryReport", "Outcome", "deliver_pending"]

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
    sender_name: str | None = None  # the mails' From name: the municipality's CTC
    urls: dict[str, str] = field(default_factory=dict)  # reference → URL, resolved once per run
    routes: dict[str, MailRoute | None] = field(default_factory=dict)  # URL → its SMTP route (None: apprise)


def _hand_over(run: _Run, row: Notification) -> bool:
    """Mark the row in flight — only while the run's lease is safe and the row still its own."""
    return run.heartbeat.alive() and mark_in_flight(row.id, run.token, run.clock())


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
        return mailer.send(route, row.subject, body, attached, lambda: _hand_over(run, row),
                           sender_name=run.sender_name, lang=row.lang)
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


def _deliver(run: _Run, row: Notification, mailer: Mailer) -> Outcome | None:
    try:
        failure = _send_one(run, row, mailer)
    except LostClaim:
        return None  # handed back (or taken by another run): not this run's to send
    return record(row, failure, run.token, run.clock(), patience=run.heartbeat.lease)


class _Workers:
    """Threads that keep their SMTP connections for the whole run."""

    def __init__(self, count: int, gate: Gate) -> None:
        self._local = threading.local()
        self._mailers: list[Mailer] = []
        self._guard = threading.Lock()
        self.gate = gate
        self.pool = ThreadPoolExecutor(max_workers=max(count, 1), thread_name_prefix="ctc-send",
                                       initializer=carried(self._start))

    def _start(self) -> None:
        self._local.mailer = Mailer(self.gate)
        with self._guard:
            self._mailers.append(self._local.mailer)

    def _deliver(self, run: _Run, row: Notification) -> Outcome | None:
        return _deliver(run, row, self._local.mailer)

    def run(self, run: _Run, rows: Sequence[Notification]) -> list[Outcome]:
        deliver = carried(self._deliver)
        futures = [self.pool.submit(deliver, run, row) for row in rows]
        return [outcome for future in as_completed(futures) if (outcome := future.result()) is not None]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: what was not started stays claimed, then released
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
           sender: Sender, only: list[int] | None, lock: str | None, sender_name: str | None) -> None:
    settings = get_settings()
    gate = Gate(settings.delivery_timeout_seconds)
    links = Links(settings)
    pool = _Workers(workers, gate)
    try:
        with leases.Heartbeat(clock, lease, name, lock) as heartbeat:
            with session_scope() as session:
                report.recovered += hand_back(session, clock(), mine=name)
                report.cancelled += cancel_obsolete(session)
            while heartbeat.alive():
                now = clock()
                token, rows, attachments = _claim_batch(clock, lease, name, batch, only)
                if not rows:
                    return
                heartbeat.hold(token, now + lease)
                try:
                    report.outcomes += pool.run(_Run(token, clock, heartbeat, gate, sender, links, attachments,
                                                     sender_name), rows)
                finally:
                    heartbeat.drop(token)
                    release_unsent(token)
    finally:
        pool.close()


def _anything_due(now: datetime) -> bool:
    with session_scope() as session:
        return session.execute(select(col(Notification.id)).where(
            col(Notification.status) == NoticeStatus.PENDING,
            col(Notification.next_attempt_at) <= now).limit(1)).first() \
            is not None


def deliver_pending(now: datetime | None = None, *, batch: int = 200, workers: int | None = None,
                    lease: timedelta | None = None, sender: Sender = send_apprise,
                    only: list[int] | None = None, clock: leases.Clock | None = None,
                    sender_name: str | None = None) -> DeliveryReport:
    """Send everything pending whose time has come; returns what this run did with each message.

    ``now`` runs the delivery as if at that moment (a replay, a test); ``clock`` replaces the
    clock altogether. ``only`` sends just those rows, beside any run (a sign-in link at once).
    ``sender_name``: the name mail comes from (the municipality's CTC)."""
    settings = get_settings()
    clock = clock or leases.shifted_clock(now)
    lease = lease or timedelta(seconds=settings.delivery_lease_seconds)
    workers = workers or settings.delivery_workers
    name = leases.holder(leases.this_run())
    report = DeliveryReport()
    if only is not None:
        _drain(report, clock, lease, name, batch=batch, workers=workers, sender=sender, only=only, lock=None,
               sender_name=sender_name)
        return report
    for _ in range(MAX_ROUNDS):
        busy = leases.take_lock(clock, lease, name)
        if busy is not None:
            report.busy = busy
            return report
        try:
            _drain(report, clock, lease, name, batch=batch, workers=workers, sender=sender, only=None,
                   lock=leases.RUN_LOCK, sender_name=sender_name)
        finally:
            leases.let_go(name)
        if not _anything_due(clock()):
            break
    return report

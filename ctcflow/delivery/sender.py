"""Sending the outbox: claim, send, record — each message marked sent exactly once.

A run first hands back rows a crashed run left in ``sending`` (after a lease), cancels notices
whose milestone was done (or phase approved) since they were decided, then claims batches with
a conditional UPDATE (two deliveries at once never claim the same row), sends them through
apprise on a few threads and records every outcome in its own small transaction. A crash can
therefore leave at most the messages in flight unrecorded — those are sent again, the only
duplicates SMTP itself cannot prevent — and loses nothing. A failure keeps the row pending with
the error, a retry count and the next attempt (exponential backoff, at most six hours apart);
a delivery is never given up silently.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import apprise
from sqlalchemy import select, update
from sqlmodel import col

from ctcflow.core.config import get_settings
from ctcflow.core.links import Links
from ctcflow.delivery.channels import ChannelError, resolve
from ctcflow.delivery.claims import LEASE, cancel_obsolete, claim, recover_stale
from db.engine import get_engine, session_scope
from db.models import Notification, ReportArchive

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


@dataclass
class DeliveryReport:
    outcomes: list[Outcome] = field(default_factory=list)
    recovered: int = 0
    cancelled: int = 0
    briefs: list[str] = field(default_factory=list)  # whose brief was composed just before

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


Attachment = tuple[str, bytes]  # file name, content


def send_apprise(url: str, subject: str, body: str, attachments: Sequence[Attachment] = ()) -> str | None:
    """Send one message; None when it went out, else apprise's reason. Attachments are written
    to a private temporary folder for apprise to read, under their own names."""
    _APPRISE_LOG.start()
    sender = apprise.Apprise()
    if not sender.add(url):
        return "not a valid apprise URL (check the scheme and its parameters)"
    with tempfile.TemporaryDirectory(prefix="ctc-attach-") as folder:
        attach = None
        if attachments:
            attach = apprise.AppriseAttachment()
            for name, content in attachments:
                path = Path(folder) / Path(name).name
                path.write_bytes(content)
                attach.add(str(path))
        if sender.notify(title=subject, body=body, body_format=apprise.NotifyFormat.TEXT, attach=attach):
            return None
    return "; ".join(_APPRISE_LOG.lines()[-2:]) or "the channel refused the message"


Sender = Callable[..., "str | None"]  # (url, subject, body[, attachments=...]) → None or the reason


def _record(row: Notification, error: str | None, token: str, now: datetime) -> Outcome:
    attempts = row.attempts + 1
    values: dict[str, object]
    if error is None:
        values = {"status": "sent", "sent_at": now, "attempts": attempts, "claim": None, "last_error": None}
    else:
        values = {"status": "pending", "attempts": attempts, "claim": None, "last_error": error[:2000],
                  "next_attempt_at": now + backoff(attempts)}
    with get_engine().begin() as connection:  # its own commit: a crash loses at most what is in flight
        connection.execute(update(Notification)
                           .where(col(Notification.id) == row.id, col(Notification.claim) == token)
                           .values(**values))
    assert row.id is not None
    return Outcome(row.id, row.key, row.kind, row.recipient, row.subject, error is None, error, attempts)


def _send_one(row: Notification, sender: Sender, urls: dict[str, str],
              attachments: dict[int, Attachment], links: Links) -> str | None:
    try:
        url = urls.get(row.reference) or resolve(row.reference)
    except ChannelError as exc:
        return str(exc)
    urls[row.reference] = url
    body = links.resolve(row.body)  # the message's links are signed now, as it leaves
    try:
        if row.attachment_id is not None:
            if row.attachment_id not in attachments:
                return f"the archived report {row.attachment_id} to attach is missing"
            return sender(url, row.subject, body, attachments=[attachments[row.attachment_id]])
        return sender(url, row.subject, body)
    except Exception as exc:  # a channel plugin's bug must not stop the other deliveries
        return f"{type(exc).__name__}: {exc}"


def deliver_pending(now: datetime | None = None, *, batch: int = 200, workers: int | None = None,
                    lease: timedelta = LEASE, sender: Sender = send_apprise,
                    only: list[int] | None = None) -> DeliveryReport:
    """Send everything pending whose time has come; returns what happened to each message."""
    now = now or datetime.now(tz=UTC)
    workers = workers or get_settings().delivery_workers
    report = DeliveryReport()
    urls: dict[str, str] = {}
    links = Links(get_settings())
    first = True
    with ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="ctc-send") as pool:
        while True:
            with session_scope() as session:
                if first:
                    report.recovered = recover_stale(session, now, lease)
                    report.cancelled = cancel_obsolete(session)
                    first = False
                token = claim(session, now, batch, only)
                rows = session.execute(select(Notification).where(col(Notification.claim) == token)
                                       .order_by(col(Notification.id))).scalars().all()
                wanted = {r.attachment_id for r in rows if r.attachment_id is not None}
                attachments = {i: (name, bytes(content)) for i, name, content in session.execute(
                    select(col(ReportArchive.id), col(ReportArchive.filename), col(ReportArchive.content))
                    .where(col(ReportArchive.id).in_(wanted)))} if wanted else {}
            if not rows:
                return report
            futures = {pool.submit(_send_one, row, sender, urls, attachments, links): row for row in rows}
            for future in as_completed(futures):
                report.outcomes.append(_record(futures[future], future.result(), token, now))

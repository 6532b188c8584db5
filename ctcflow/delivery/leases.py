"""Leases: how a delivery run keeps what it claimed, and how everyone else knows when it died.

A run claims rows under a lease (``lease_until``) and names itself (``claim_holder``: host,
process id and run — the Prefect flow run it belongs to, so a task retried after a database blip
is the same run and takes up its own lock and claims at once). A heartbeat thread renews the lease
of every claim the run holds — and the run's lock — while it works, so a run of any length keeps
its rows; the run sends nothing once its own lease may have lapsed (a paused machine). Another run
takes a row back only when the row's own lease has run out — or at once when its holder is a
process on this machine that no longer exists (``kill -9``), which ``ctc outbox --status
interrupted`` shows and ``--release`` hands back.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from ctcflow.core.scope import carried
from db.engine import get_engine, rows_affected
from db.models import DeliveryLock, Notification
from db.statuses import NoticeStatus

Clock = Callable[[], datetime]
RUN_LOCK = "deliver"


def shifted_clock(now: datetime | None = None) -> Clock:
    """The real clock — or one that reads ``now`` at this moment and runs on from there (a
    replay, a test), so claims and sends get their true order and spacing."""
    if now is None:
        return lambda: datetime.now(tz=UTC)
    offset = now - datetime.now(tz=UTC)
    return lambda: datetime.now(tz=UTC) + offset


def holder(run: str | None = None) -> str:
    """This process — and the run, when it is one (``host:pid#run``) — as a claim and the lock name it."""
    return f"{socket.gethostname()}:{os.getpid()}" + (f"#{run}" if run else "")


def this_run() -> str:
    """What makes a delivery one run: the Prefect flow run it is part of (a task retried after a
    failure is the same run, and takes up its own lock and claims), else this call alone."""
    if "prefect" in sys.modules:  # only a flow has a flow run; nothing else imports Prefect for this
        from prefect.context import FlowRunContext

        context = FlowRunContext.get()
        if context is not None and context.flow_run is not None:
            return str(context.flow_run.id)
    return uuid.uuid4().hex


def holder_is_gone(name: str | None) -> bool:
    """A holder on this machine whose process no longer exists (on another machine only its
    lease can tell)."""
    if not name:
        return False
    host, _, pid = name.partition("#")[0].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Heartbeat:
    """Renews the run's lock and the leases of the claims it holds every quarter lease, on its
    own thread; ``alive()`` says whether the run may still send."""

    def __init__(self, clock: Clock, lease: timedelta, name: str, lock: str | None = None) -> None:
        self.clock, self.lease, self.name, self.lock = clock, lease, name, lock
        self._tokens: set[str] = set()
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._valid_until = clock() + lease
        self._thread = threading.Thread(target=carried(self._beat), name="ctc-lease", daemon=True)

    def hold(self, token: str, valid_until: datetime) -> None:
        with self._guard:
            self._tokens.add(token)
            self._valid_until = min(self._valid_until, valid_until)

    def drop(self, token: str) -> None:
        with self._guard:
            self._tokens.discard(token)

    def alive(self) -> bool:
        """True while every lease the run holds has a safe margin left."""
        return self.clock() < self._valid_until - self.lease / 4

    def renew(self) -> None:
        now = self.clock()
        until = now + self.lease
        with self._guard:
            tokens = list(self._tokens)
        with get_engine().begin() as connection:
            if tokens:
                connection.execute(update(Notification)
                                   .where(col(Notification.claim).in_(tokens),
                                          col(Notification.status) == NoticeStatus.SENDING)
                                   .values(lease_until=until))
            if self.lock:
                connection.execute(update(DeliveryLock)
                                   .where(col(DeliveryLock.name) == self.lock, col(DeliveryLock.holder) == self.name)
                                   .values(expires_at=until))
        self._valid_until = now + self.lease

    def _beat(self) -> None:
        interval = max(self.lease.total_seconds() / 4, 0.1)
        while not self._stop.wait(interval):
            try:
                self.renew()
            except Exception:  # a database hiccup: alive() turns false before anyone may take over
                continue

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


def take_lock(clock: Clock, lease: timedelta, name: str, lock: str = RUN_LOCK) -> str | None:
    """Take the run lock; None when taken, else who holds it (a run whose lease is live)."""
    now = clock()
    fresh = {"holder": name, "taken_at": now, "expires_at": now + lease}
    try:
        with get_engine().begin() as connection:
            current = connection.execute(select(col(DeliveryLock.holder), col(DeliveryLock.expires_at))
                                         .where(col(DeliveryLock.name) == lock)).first()
            if current is None:
                connection.execute(insert(DeliveryLock).values(name=lock, **fresh))
                return None
            other, expires = current
            if expires >= now and not holder_is_gone(other) and other != name:  # this run's own: taken up again
                return str(other)
            taken = rows_affected(connection.execute(  # only if nobody else took it meanwhile
                update(DeliveryLock).where(col(DeliveryLock.name) == lock, col(DeliveryLock.holder) == other,
                                           col(DeliveryLock.expires_at) == expires).values(**fresh)))
            return None if taken else str(other)
    except IntegrityError:  # another run inserted the lock first
        return "another delivery run"


def let_go(name: str, lock: str = RUN_LOCK) -> None:
    with get_engine().begin() as connection:
        connection.execute(update(DeliveryLock).where(col(DeliveryLock.name) == lock, col(DeliveryLock.holder) == name)
                           .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC)))

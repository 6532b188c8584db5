"""The mail servers of one delivery run and what the run knows of them: each is tried once when
it refuses or does not answer (one connect timeout per server and run, not one per message),
connected to by one worker at a time until it answered, and its TLS context built once."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass, field
from functools import cache

from ctcflow.delivery.failures import Failure, from_smtp_error, not_tried

SESSION_FAILURES_BEFORE_DOWN = 2  # a dropped connection is retried; two in a row mean the server is unwell


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    mode: str  # ssl | starttls | insecure
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    verify: bool = True

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@cache
def _local_name() -> str:
    """Our name in EHLO, looked up once (smtplib asks DNS on every connection otherwise)."""
    return socket.getfqdn()


class Gate:
    """One run's knowledge of its servers, shared by the workers: a server of unknown health is
    connected to by one worker at a time; once it refused, timed out or failed twice in a row,
    the run's other messages to it are not tried. The TLS contexts are built here, once."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._down: dict[Server, Failure] = {}
        self._up: set[Server] = set()
        self._failures: dict[Server, int] = {}
        self._locks: dict[Server, threading.Lock] = {}
        self._guard = threading.Lock()
        self._contexts: dict[bool, ssl.SSLContext] = {}

    def context(self, verify: bool) -> ssl.SSLContext:
        with self._guard:
            if verify not in self._contexts:
                made = ssl.create_default_context()
                if not verify:
                    made.check_hostname = False
                    made.verify_mode = ssl.CERT_NONE
                self._contexts[verify] = made
            return self._contexts[verify]

    def down(self, server: Server) -> Failure | None:
        found = self._down.get(server)
        return not_tried(found) if found else None

    def connect(self, server: Server) -> smtplib.SMTP | Failure:
        if (refused := self.down(server)) is not None:
            return refused
        if server in self._up:
            return self._open(server)
        with self._guard:
            lock = self._locks.setdefault(server, threading.Lock())
        with lock:  # the first connection to a server: one worker tries, the others wait for its answer
            if (refused := self.down(server)) is not None:
                return refused
            return self._open(server)

    def _open(self, server: Server) -> smtplib.SMTP | Failure:
        stage = "connect"
        try:
            connection: smtplib.SMTP
            if server.mode == "ssl":
                connection = smtplib.SMTP_SSL(server.host, server.port, _local_name(), timeout=self.timeout,
                                              context=self.context(server.verify))
            else:
                connection = smtplib.SMTP(server.host, server.port, _local_name(), timeout=self.timeout)
            connection.ehlo()
            if server.mode == "starttls":
                stage = "starttls"
                connection.starttls(context=self.context(server.verify))
                connection.ehlo()
            if server.user and server.password:
                stage = "login"
                connection.login(server.user, server.password)
        except (OSError, smtplib.SMTPException) as exc:
            failure = from_smtp_error(exc, stage, server.where)
            self._down[server] = failure
            return failure
        self._up.add(server)
        return connection

    def went_well(self, server: Server) -> None:
        self._failures.pop(server, None)

    def went_wrong(self, server: Server, failure: Failure) -> None:
        count = self._failures.get(server, 0) + 1
        self._failures[server] = count
        if count >= SESSION_FAILURES_BEFORE_DOWN:
            self._down.setdefault(server, failure)

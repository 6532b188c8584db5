"""A local SMTP server (aiosmtpd on loopback): the demo's mail server, filing every message in a
Maildir any mail client opens, and the tests' and benchmark's — keeping what it received in
memory, and misbehaving on purpose when asked: refusing recipients (``refuse``), answering a
message with a reply of its choice or dropping the connection after DATA (``reply``), being slow
(``delay``); ``SilentServer`` accepts connections and never answers. The one SMTP helper of the
project; never part of the runtime."""

from __future__ import annotations

import asyncio
import mailbox
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from ctcflow.definition.organisation import OrganisationDef


def loopback_url(port: int, address: str, sender: str = "ctcflow@test.example") -> str:
    """The apprise URL for ``address`` through a mail server on loopback port ``port`` (no AUTH,
    no TLS: loopback only)."""
    return f"mailto://127.0.0.1:{port}?from={sender}&to={address}&smtp=127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, content)
    html: str = ""  # the HTML part, when there is one
    sender: str = ""  # the From header as the reader sees it


DROP = "drop the connection"  # a ``reply`` that keeps the message and closes the connection unanswered


class LocalMailServer:
    """Start, stop and start again on the same port; ``on_message`` runs after a message is kept
    and before the reply. With ``maildir`` every message is also filed there. ``refuse(address)``
    may return a reply refusing a recipient ("550 5.1.1 …"); ``reply(message)`` may return the
    reply to a message ("451 4.3.0 …", not kept) or ``DROP``; ``delay`` seconds pass before each
    reply (other connections go on meanwhile). ``connections`` counts the sessions opened."""

    def __init__(self, maildir: Path | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.path = maildir
        self.maildir: mailbox.Maildir | None = None
        if maildir is not None:
            for sub in ("cur", "new", "tmp"):
                (maildir / sub).mkdir(parents=True, exist_ok=True)
            self.maildir = mailbox.Maildir(maildir, create=False)
        self.received: list[Received] = []
        self.on_message: Callable[[Received], None] | None = None
        self.refuse: Callable[[str], str | None] | None = None
        self.reply: Callable[[Received], str | None] | None = None
        self.delay = 0.0
        self.connections = 0
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        with self._lock:
            self.connections += 1
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        refusal = self.refuse(address) if self.refuse else None
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
        attached = tuple((part.get_filename() or "", part.get_content())
                         for part in message.iter_attachments()) if isinstance(message, EmailMessage) else ()
        html = message.get_body(("html",)) if isinstance(message, EmailMessage) else None
        item = Received(",".join(envelope.rcpt_tos), str(message["subject"]),
                        body.get_content() if body is not None else "", attached,
                        html.get_content() if html is not None else "", str(message["from"] or ""))
        if self.delay:
            await asyncio.sleep(self.delay)
        answer = self.reply(item) if self.reply else None
        if answer and answer != DROP:
            return answer
        with self._lock:
            self.received.append(item)
            if self.maildir is not None:
                self.maildir.add(message)
        if self.on_message:
            self.on_message(item)
        if answer == DROP:
            server.transport.close()
        return "250 Message accepted for delivery"

    def start(self) -> LocalMailServer:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> LocalMailServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, address: str, sender: str = "ctcflow@test.example") -> str:
        """The apprise URL for ``address`` through this server."""
        return loopback_url(self.port, address, sender)

    def route(self, org: OrganisationDef, domain: str, sender: str = "ctcflow@test.example") -> None:
        """Point every person's ``env:`` reference at this server, as ``<person id>@<domain>``
        (this process's environment only)."""
        for person in org.everyone():
            source, name = person.notify.split(":", 1)
            if source == "env":
                os.environ[name] = self.url(f"{person.id}@{domain}", sender)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if r.to == address]

    def messages(self) -> list[EmailMessage]:
        """The Maildir's messages in the order received (Python's Maildir names end in a
        per-process counter: …Q<n>.host)."""
        if self.maildir is None:
            return []
        maildir = self.maildir

        def received_order(key: str) -> tuple[int, str]:
            counter = key.rpartition("Q")[2].partition(".")[0]
            return (int(counter) if counter.isdigit() else 0, key)

        return read_mails(maildir.get_bytes(key) for key in sorted(maildir.keys(), key=received_order))


def read_mails(raw: Iterable[bytes]) -> list[EmailMessage]:
    """Messages as a mail client reads them (the modern policy: headers decoded, attachments iterable)."""
    found = [message_from_bytes(data, policy=policy.default) for data in raw]
    return [m for m in found if isinstance(m, EmailMessage)]


def maildir_mails(folder: Path) -> list[EmailMessage]:
    """Every message filed in the Maildir ``folder`` (the demo's, a test's)."""
    box = mailbox.Maildir(folder, create=False)
    return read_mails(box.get_bytes(key) for key in sorted(box.keys()))


class SilentServer:
    """Accepts connections on loopback and never says a word: a mail server that hangs. Counts
    the connections it accepted."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = int(self._socket.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()
        for connection in self.accepted:
            connection.close()


def serve_forever(port: int) -> None:
    """A counting server in a process of its own (the benchmark's: it must not share the
    sender's interpreter); stops on SIGTERM."""
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with LocalMailServer(port=port):
        stop.wait()

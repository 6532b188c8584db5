"""A local SMTP server (aiosmtpd on loopback) that files every message it receives into a
Maildir: the demo's mail server, and a way to try the notifications without a real one."""

from __future__ import annotations

import mailbox
import os
import socket
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from ctcflow.definition.organisation import OrganisationDef


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalMailServer:
    def __init__(self, maildir: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(maildir, create=False)
        self.path = maildir
        self.received = 0
        self.recipients: Counter[str] = Counter()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.maildir.add(message_from_bytes(envelope.original_content, policy=policy.default))
        self.received += 1
        self.recipients.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def url(self, address: str, sender: str = "ctcflow@localhost") -> str:
        """The apprise URL for ``address`` through this server (no AUTH, no TLS: loopback only)."""
        return f"mailto://127.0.0.1:{self.port}?from={sender}&to={address}&smtp=127.0.0.1"

    def route(self, org: OrganisationDef, domain: str, sender: str = "ctcflow@localhost") -> None:
        """Point every person's ``env:`` reference at this server, as ``<person id>@<domain>``
        (this process's environment only)."""
        for person in org.everyone():
            source, name = person.notify.split(":", 1)
            if source == "env":
                os.environ[name] = self.url(f"{person.id}@{domain}", sender)

    def messages(self) -> list[EmailMessage]:
        """In the order received: Python's Maildir names end in a per-process counter (…Q<n>.host)."""
        def received_order(key: str) -> tuple[int, str]:
            counter = key.rpartition("Q")[2].partition(".")[0]
            return (int(counter) if counter.isdigit() else 0, key)

        found = [message_from_bytes(self.maildir.get_bytes(key), policy=policy.default)
                 for key in sorted(self.maildir.keys(), key=received_order)]
        return [m for m in found if isinstance(m, EmailMessage)]

    def __enter__(self) -> LocalMailServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

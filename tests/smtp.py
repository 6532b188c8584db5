"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller

from demo.mailserver import free_port


@dataclass(frozen=True)
class Received:
    to: str
    subject: str
    body: str
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, content)


class SmtpSink:
    """Start, stop and start again on the same port; ``on_message`` runs before the reply."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[Received] = []
        self.on_message: Callable[[Received], None] | None = None
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_body(("plain",))
        attached = tuple((part.get_filename() or "", part.get_content()) for part in message.iter_attachments())
        item = Received(",".join(envelope.rcpt_tos), str(message["subject"]), body.get_content() if body else "",
                        attached)
        with self._lock:
            self.received.append(item)
        if self.on_message:
            self.on_message(item)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    def url(self, address: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=ctcflow@test.example&to={address}&smtp=127.0.0.1"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if r.to == address]

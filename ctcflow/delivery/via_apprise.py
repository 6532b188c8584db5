"""Every channel but mail, through apprise: one message at a time, apprise's reason kept when it fails."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

import apprise

from ctcflow.delivery.smtp import Attachment, attachment_files


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

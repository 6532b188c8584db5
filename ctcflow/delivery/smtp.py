"""Mail straight over SMTP: one connection per worker and server, reused across messages.

apprise opens a new connection (and builds a new TLS context) for every message; at a morning's
thousands of messages that is most of the time spent, and a server that is down costs a connect
timeout per message. ``mailto://``/``mailtos://`` URLs are therefore read by apprise (its
reading of the URL, well-known providers included, and its way of writing the message) but
sent here: each worker keeps its connection to a server open for the whole run, the TLS context
is built once per run, and a server that refuses or does not answer is tried once per run
(ctcflow.delivery.servers). Every failure keeps the server's own reply (ctcflow.delivery.failures).
"""

from __future__ import annotations

import smtplib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import apprise
from apprise.plugins.email.base import NotifyEmail

from ctcflow.delivery.failures import Failure, from_smtp_error
from ctcflow.delivery.htmlmail import html_of
from ctcflow.delivery.servers import Gate, Server

Attachment = tuple[str, bytes]  # file name, content


@dataclass(frozen=True)
class MailRoute:
    server: Server
    plugin: NotifyEmail = field(compare=False, repr=False)

    @property
    def to(self) -> str:
        return ", ".join(address for _, address in self.plugin.targets)


def mail_route(url: str) -> MailRoute | None:
    """The SMTP route of a ``mailto://``/``mailtos://`` URL, as apprise reads it; None for any
    other channel (or a URL apprise cannot read: apprise then says why)."""
    if not url.startswith(("mailto://", "mailtos://")):
        return None
    plugin = apprise.Apprise.instantiate(url)
    if not isinstance(plugin, NotifyEmail) or not plugin.targets:
        return None
    server = Server(str(plugin.smtp_host), int(plugin.port or 25), str(plugin.secure_mode), plugin.user,
                    plugin.password, bool(plugin.verify_certificate))
    return MailRoute(server, plugin)


@contextmanager
def attachment_files(attachments: Sequence[Attachment]) -> Iterator[apprise.AppriseAttachment | None]:
    """Attachments written to a private temporary folder for apprise to read, under their own names."""
    if not attachments:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="ctc-attach-") as folder:
        attach = apprise.AppriseAttachment()
        for name, content in attachments:
            path = Path(folder) / Path(name).name
            path.write_bytes(content)
            attach.add(str(path))
        yield attach


def _payloads(route: MailRoute, subject: str, body: str, attach: Any, sender_name: str | None,
              lang: str) -> list[tuple[str, list[str], str]]:
    plugin = route.plugin
    # the display name: the URL's own, else the municipality's CTC — never the library's name
    own = plugin.from_addr[0]
    name = own if own and own != plugin.app_id else (sender_name or own)
    return [(str(plugin.from_addr[1]), list(message.to_addrs), with_html(message.body, body, lang))
            for message in NotifyEmail.prepare_emails(
                subject=subject, body=body, notify_format=apprise.NotifyFormat.TEXT,
                from_addr=(name, plugin.from_addr[1]), to=plugin.targets, cc=plugin.cc, bcc=plugin.bcc,
                reply_to=plugin.reply_to, smtp_host=plugin.smtp_host, attach=attach,
                headers={"X-Application": plugin.app_id, **plugin.headers}, names=plugin.names, pgp=None,
                tzinfo=plugin.tzinfo)]


def with_html(payload: str, text: str, lang: str) -> str:
    """The message apprise wrote, its text part beside an HTML part of the same words: mail
    programs show the HTML (short link names), and the text stays for those that do not."""
    message = message_from_string(payload, policy=policy.default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(("plain",))
    if plain is None:
        return payload
    plain.make_alternative()
    plain.add_alternative(html_of(text, lang), subtype="html", charset="utf-8")
    return message.as_string()


class Mailer:
    """One worker's SMTP connections (one per server), kept open across its messages."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self._open: dict[Server, smtplib.SMTP] = {}

    def send(self, route: MailRoute, subject: str, body: str, attachments: Sequence[Attachment] = (),
             before_handing_over: Callable[[], bool] = lambda: True, *, sender_name: str | None = None,
             lang: str = "sv") -> Failure | None:
        """None once the server accepted the message; else the failure, in its words. The
        message is handed over only if ``before_handing_over()`` still agrees (the run's claim)."""
        server = route.server
        with attachment_files(attachments) as attach:
            payloads = _payloads(route, subject, body, attach, sender_name, lang)
        for attempt in (1, 2):
            reused = server in self._open
            connection = self._open.get(server) or self.gate.connect(server)
            if isinstance(connection, Failure):
                return connection
            self._open[server] = connection
            stage = ["mail"]
            where = f"to {route.to} via {server.where}"
            try:
                for sender, recipients, payload in payloads:
                    self._exchange(connection, sender, recipients, payload, stage, before_handing_over)
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code == 421:  # the server is closing this connection
                    self._drop(server)
                return from_smtp_error(exc, stage[0], where)
            except smtplib.SMTPRecipientsRefused as exc:
                return from_smtp_error(exc, "rcpt", where)
            except (OSError, smtplib.SMTPException) as exc:
                self._drop(server)
                if reused and attempt == 1 and stage[0] == "mail":
                    continue  # an idle connection the server closed: once more on a new one
                self.gate.went_wrong(server, from_smtp_error(exc, stage[0], server.where))
                return from_smtp_error(exc, stage[0], where)
            self.gate.went_well(server)
            return None
        return None  # unreachable: the second attempt returns

    @staticmethod
    def _exchange(connection: smtplib.SMTP, sender: str, recipients: list[str], payload: str, stage: list[str],
                  before_handing_over: Callable[[], bool]) -> None:
        code, reply = connection.mail(sender)
        if code != 250:
            connection.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        stage[0] = "rcpt"
        refused = {}
        for recipient in recipients:
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            connection.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        try:
            handing_over = before_handing_over()
        except BaseException:  # the database went away: this connection must not keep the half-begun mail
            with suppress(OSError, smtplib.SMTPException):
                connection.rset()
            raise
        if not handing_over:
            connection.rset()
            raise LostClaim()
        stage[0] = "data"
        code, reply = connection.data(payload)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def _drop(self, server: Server) -> None:
        connection = self._open.pop(server, None)
        if connection is not None:
            with suppress(OSError):
                connection.close()

    def close(self) -> None:
        for server, connection in list(self._open.items()):
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()
            self._open.pop(server, None)


class LostClaim(Exception):
    """The run no longer holds the message (its lease lapsed): it is not handed over."""

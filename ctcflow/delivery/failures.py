"""Why a message did not go out, as the server said it, and what that means for the next try.

Three kinds, because they call for different people to act:

- **temporary** — a 4xx reply, a server that is down or does not answer, a dropped connection:
  retried quietly with backoff; the samordnare hears of it only once it has lasted longer than
  ``CTC_DELIVERY_ALARM_HOURS``.
- **permanent** — the server refused the recipient or the message (5xx at RCPT or DATA, "550 no
  such user"): retrying changes nothing; the row is ``failed`` at once and the samordnare is told
  which person's channel it is, until someone fixes the address and retries.
- **setup** — the channel itself is wrong (a reference that is not set, an invalid URL, the mail
  server refusing our login or sender): retried with backoff (someone may set it), and told at once.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass

from db.statuses import NoticeStatus

TEMPORARY, PERMANENT, SETUP = "temporary", "permanent", "setup"
UNCERTAIN_NOTE = "the connection was lost after the message was handed over: it may arrive twice"


@dataclass(frozen=True)
class Failure:
    text: str  # one line: the server's reply (code and text) or what went wrong, and where
    kind: str = TEMPORARY
    code: int | None = None
    uncertain: bool = False  # the server may have accepted it: a retry may deliver it twice

    @property
    def status(self) -> str:
        """What the row becomes: a permanent refusal waits for someone; the rest is retried."""
        return NoticeStatus.FAILED if self.kind == PERMANENT else NoticeStatus.PENDING


def _reply_text(code: int, message: bytes | str) -> str:
    words = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {' '.join(words.split())}"


def from_reply(code: int, message: bytes | str, stage: str, where: str) -> Failure:
    """An SMTP reply at ``stage`` (connect, login, mail, rcpt, data): 4xx is temporary; 5xx is
    the recipient's or the message's (permanent) at RCPT and DATA, the channel's (setup) before."""
    kind = TEMPORARY if code < 500 else PERMANENT if stage in ("rcpt", "data") else SETUP
    return Failure(f"{_reply_text(code, message)} ({stage} at {where})", kind, code)


def from_smtp_error(exc: BaseException, stage: str, where: str) -> Failure:
    """Any error of one SMTP exchange, in the server's words where it gave any."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        [(code, message)] = list(exc.recipients.values())[:1] or [(550, b"recipient refused")]
        return from_reply(code, message, "rcpt", where)
    if isinstance(exc, smtplib.SMTPResponseException):
        return from_reply(exc.smtp_code, exc.smtp_error, stage, where)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Failure(f"the certificate of {where} is not trusted ({exc.verify_message})", SETUP)
    if isinstance(exc, smtplib.SMTPNotSupportedError | smtplib.SMTPHeloError):
        return Failure(f"{where}: {exc}", SETUP)
    uncertain = stage == "data"
    if isinstance(exc, TimeoutError) or str(exc).endswith("timed out"):  # smtplib wraps a read timeout
        what = "no answer (timed out)"
    elif isinstance(exc, smtplib.SMTPServerDisconnected):
        what = "the server closed the connection"
    else:
        what = str(exc) or type(exc).__name__
    text = f"{what} ({stage} at {where})"
    return Failure(f"{text}; {UNCERTAIN_NOTE}" if uncertain else text, TEMPORARY, None, uncertain)


def not_tried(first: Failure) -> Failure:
    """The server failed earlier in this run: the other messages to it are not tried again until
    the next run (one connect timeout per server and run, not one per message)."""
    text = first.text.removesuffix(f"; {UNCERTAIN_NOTE}")  # this one was never handed over
    return Failure(f"not tried: {text}", first.kind, first.code)

"""A report's sending in words — the same sentence on the report page, in the archive and from
``ctc report`` — so that "skickad" is said only of what a mail server accepted, and whatever
is not sent says when it will be tried or what the samordnare has to do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ctcflow.core.templating import long_date
from ctcflow.core.words import N_, say
from ctcflow.report.delivered import CANCELLED, QUEUED, REFUSED, RETRYING, SENDING, SENT, Delivery, Sending

_WHEN_TODAY = N_("at the next delivery run")
_WHEN_LATER_TODAY = N_("after {time}")
_WHEN_NEXT_DAY = N_("on the next working day, {day}")


def when(sending: Sending | Delivery, lang: str) -> str:
    """When what waits is tried: at the next run, after a time today, or on a later working day."""
    moment = sending.tried_next
    if moment is None:
        return say(lang, _WHEN_TODAY)
    if sending.next_day:
        return say(lang, _WHEN_NEXT_DAY, day=long_date(moment.date(), lang))
    return say(lang, _WHEN_LATER_TODAY, time=moment.strftime("%H:%M"))


def summary(sending: Sending | None, handed_on: date | None, due: date | None, as_of: date, lang: str) -> str:
    """The report's state in one phrase: sent (accepted), waiting and when, refused — or not sent."""
    if sending is None or handed_on is None:
        if due is not None and due < as_of:
            return say(lang, "Not sent – late")
        return say(lang, "Not sent")
    state = sending.state
    if sending.sent and sending.sent_at is not None:
        return say(lang, "Sent {day} at {time}", day=sending.sent_at.date().isoformat(),
                   time=sending.sent_at.strftime("%H:%M"))
    if state == REFUSED:
        return say(lang, "Not delivered: refused by the mail server")
    if state == RETRYING:
        return say(lang, "Not delivered yet – tried again {when}", when=when(sending, lang))
    if state == SENDING:
        return say(lang, "Being sent")
    return say(lang, "Queued – sent {when}", when=when(sending, lang))


def line(delivery: Delivery, name: str, lang: str) -> str:
    """One recipient's copy, with the server's words where it failed and what to do."""
    if delivery.state == SENT and delivery.sent_at is not None:
        return say(lang, "{name}: accepted by the mail server {day} at {time}", name=name,
                   day=delivery.sent_at.date().isoformat(), time=delivery.sent_at.strftime("%H:%M"))
    if delivery.state == SENDING:
        return say(lang, "{name}: being sent", name=name)
    if delivery.state == CANCELLED:
        return say(lang, "{name}: not sent (no longer a recipient)", name=name)
    if delivery.state == REFUSED:
        if delivery.channel_wrong:
            return say(lang, "{name}: not delivered – the mail setup is wrong (\u201c{error}\u201d). Ask whoever "
                             "runs the system to correct it, then press Try again.", name=name,
                       error=delivery.error or "")
        return say(lang, "{name}: not delivered – the mail server refused it (\u201c{error}\u201d). Check the "
                         "person's e-mail address under People, then press Try again.", name=name,
                   error=delivery.error or "")
    if delivery.state == RETRYING:
        return say(lang, "{name}: failed (\u201c{error}\u201d) – tried again {when}", name=name,
                   error=delivery.error or "", when=when(delivery, lang))
    assert delivery.state == QUEUED
    return say(lang, "{name}: queued – sent {when}", name=name, when=when(delivery, lang))


def lines(sending: Sending, name_of: Callable[[str], str], lang: str) -> list[str]:
    return [line(d, name_of(d.person), lang) for d in sending.deliveries]

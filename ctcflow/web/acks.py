"""What a page needs to show the open escalations with "Vi tar det": who may take which on (the
one permission rule), the furthest day allowed, and a refused form's error and typed values."""

from __future__ import annotations

from datetime import date
from typing import Any

from ctcflow.access.permissions import Action
from ctcflow.app.acks import latest_allowed
from ctcflow.core.words import say
from ctcflow.report.escalated import Escalated
from ctcflow.web.context import Web
from ctcflow.web.deps import Viewer


def ack_context(web: Web, viewer: Viewer, things: list[Escalated], lang: str, extra: dict[str, Any]) -> dict[str, Any]:
    """``extra``: a refused form's ``ack_errors`` and ``ack_typed`` by topic, or ``taken`` — the
    topic just acknowledged, whose confirmation is worded from what is stored, not from the URL."""
    def may_ack(thing: Escalated) -> bool:
        return viewer.may(web.defs, Action.ACKNOWLEDGE, thing.area_id)

    latest: date = latest_allowed(web.defs, web.today())
    taken = next((e for e in things if e.topic == extra.pop("taken", None) and e.ack is not None), None)
    flash = say(lang, "Acknowledged: {what}. The escalation rests until {until}, and those already told hear who "
                      "has it.", what=taken.subject, until=taken.ack.until.isoformat()) \
        if taken is not None and taken.ack is not None else None
    return {"may_ack": may_ack, "latest": latest, "ack_errors": {}, "ack_typed": {}, "flash_ack": flash, **extra}

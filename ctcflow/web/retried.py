"""What "Försök igen nu" did, carried across the redirect that follows the form (so a reload
does not try again) and said on the page it lands on."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from ctcflow.app.outbox import Retried


def as_query(retried: Retried) -> str:
    values: dict[str, str | int] = {"forsokt": retried.waiting, "skickade": retried.sent,
                                    "misslyckade": retried.failed}
    if retried.next_day:
        values["dag"] = retried.next_day.isoformat()
    if retried.busy:
        values["upptagen"] = 1
    return urlencode(values)


def from_query(forsokt: int | None, skickade: int = 0, misslyckade: int = 0, dag: str = "",
               upptagen: int = 0) -> Retried | None:
    if forsokt is None:
        return None
    try:
        next_day = date.fromisoformat(dag) if dag else None
    except ValueError:
        next_day = None
    return Retried(max(forsokt, 0), max(skickade, 0), max(misslyckade, 0), next_day, bool(upptagen))

"""Labels for what people read on the command line; Swedish by default, English available."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "area": {"sv": "Område", "en": "Area"},
    "phase": {"sv": "Fas", "en": "Phase"},
    "cycle": {"sv": "Cykel", "en": "Cycle"},
    "since": {"sv": "Sedan", "en": "Since"},
    "done_share": {"sv": "Klart", "en": "Done"},
    "overdue": {"sv": "Försenade", "en": "Overdue"},
    "milestone": {"sv": "Milstolpe", "en": "Milestone"},
    "owner": {"sv": "Ansvarig", "en": "Owner"},
    "due": {"sv": "Senast", "en": "Due"},
    "state": {"sv": "Status", "en": "Status"},
    "done_by": {"sv": "Klar av", "en": "Done by"},
    "evidence": {"sv": "Underlag", "en": "Evidence"},
    "not_started": {"sv": "ej startad", "en": "not started"},
    "when": {"sv": "Datum", "en": "Date"},
    "who": {"sv": "Vem", "en": "Who"},
    "what": {"sv": "Händelse", "en": "Event"},
    "change": {"sv": "Ändring", "en": "Change"},
    "state.done": {"sv": "klar", "en": "done"},
    "state.open": {"sv": "pågår", "en": "open"},
    "state.overdue": {"sv": "FÖRSENAD", "en": "OVERDUE"},
    "state.retired": {"sv": "borttagen", "en": "retired"},
    "status_title": {"sv": "CTC-status per område", "en": "CTC status per area"},
    "as_of": {"sv": "per", "en": "as of"},
}


def t(key: str, lang: str) -> str:
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["sv"]

"""Helpers shared by the flows: the day to act as of, and summary lines."""

from __future__ import annotations

from datetime import date
from typing import Any

from ctcflow import calendar


def day(as_of: date | None) -> date:
    return as_of or calendar.today()


def notice_lines(summary: dict[str, Any]) -> list[str]:
    return [f"{n['kind']} · {n['area']} · {n['subject']} → {n['recipient']}" for n in summary.get("new", [])]


def delivery_sections(delivery: dict[str, Any]) -> dict[str, list[str]]:
    sections = {
        "Skickade": [f"{s['kind']} · {s['subject']} → {s['recipient']}" for s in delivery["sent"]],
        "Misslyckade (försöks igen)": [f"#{f['id']} {f['recipient']} ({f['attempts']} försök): {f['error']}"
                                       for f in delivery["failed"]],
    }
    if delivery.get("skipped"):
        sections["Inget skickat"] = [delivery["skipped"]]
    return sections

"""iCalendar (RFC 5545) export of an area's deadlines, for subscribing in Outlook.

Stable UIDs per milestone instance, so a re-exported file updates events instead of adding
copies; all-day events, since a deadline is a date and not a moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from ctcflow.core.config import TIMEZONE
from ctcflow.definition.loader import Definitions
from ctcflow.engine.status import MilestoneStatus


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return [line]
    parts: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += encoded
    parts.append(current.decode("utf-8"))
    return [parts[0], *(" " + p for p in parts[1:])]


def area_calendar(defs: Definitions, area_id: str, milestones: Iterable[MilestoneStatus], lang: str,
                  stamp: datetime | None = None) -> str:
    name = defs.org.area_name(area_id)
    now = (stamp or datetime.now(tz=UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ctcflow//CTC deadlines//SV",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:CTC {_escape(name)}",
             f"X-WR-TIMEZONE:{TIMEZONE}"]
    for ms in milestones:
        if ms.due_date is None or ms.state == "retired":
            continue
        found = defs.milestone(ms.milestone_id)
        title = defs.name("milestone", ms.milestone_id, lang)
        done_when = found[1].done_when.get(lang) if found else ""
        prefix = "✓ " if ms.state == "done" else ""
        end: date = ms.due_date + timedelta(days=1)
        lines += ["BEGIN:VEVENT",
                  f"UID:{area_id}.{ms.phase_id}.{ms.cycle}.{ms.milestone_id}@ctcflow",
                  f"DTSTAMP:{now}",
                  f"DTSTART;VALUE=DATE:{ms.due_date:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{end:%Y%m%d}",
                  f"SUMMARY:{_escape(prefix + title + ' – ' + name)}",
                  f"DESCRIPTION:{_escape(done_when)}",
                  "STATUS:CONFIRMED",
                  "TRANSP:TRANSPARENT",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))

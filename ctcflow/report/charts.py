"""The report's charts as SVG text: inline in the HTML (and so in the PDF), a data: image in
the Markdown. Plain string building with fixed decimals, so the same data gives the same bytes."""

from __future__ import annotations

import base64
from datetime import date
from html import escape

from ctcflow.report.model import AreaReport, PhaseSpan

WIDTH = 640
FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="11"'
ON_TIME, LATE, MISSING = "#2e7d32", "#f0a202", "#c62828"
PLANNED, ACTUAL, ONGOING = "#9e9e9e", "#1f5fa8", "#7aa6d8"


def svg(height: int, body: list[str], label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">'
            f'<title>{escape(label)}</title>' + "".join(body) + "</svg>")


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def phase_timeline(spans: list[PhaseSpan], as_of: date, phase_titles: dict[str, str], label: str,
                   legend: tuple[str, str, str]) -> str:
    """One row per phase (and cycle): the plan as a grey outline from opening to the last due
    date, what happened as a bar — solid when approved, light while still open."""
    if not spans:
        return svg(24, [f'<text x="0" y="16" {FONT}>–</text>'], label)
    left, right, row = 170, WIDTH - 10, 18
    start = date(min(s.opened_on for s in spans).year, 1, 1)
    ends = [as_of, *(s.planned_end for s in spans if s.planned_end), *(s.completed_on for s in spans if s.completed_on)]
    end = date(max(ends).year + 1, 1, 1)
    scale = (right - left) / max((end - start).days, 1)

    def x(day: date) -> float:
        return left + (min(max(day, start), end) - start).days * scale

    top = 16
    body = []
    for year in range(start.year, end.year + 1):
        at = x(date(year, 1, 1))
        body.append(f'<line x1="{at:.1f}" y1="{top - 4}" x2="{at:.1f}" y2="{top + row * len(spans)}" '
                    f'stroke="#ddd"/>')
        if year < end.year:
            body.append(f'<text x="{at + 2:.1f}" y="{top - 6}" {FONT} fill="#555">{year}</text>')
    for index, span in enumerate(spans):
        y = top + index * row
        name = phase_titles.get(span.phase_id, span.phase_id) + (f" ({span.cycle})" if span.cycle > 1 else "")
        body.append(f'<text x="0" y="{y + 12}" {FONT}>{escape(name)}</text>')
        begin = x(span.opened_on)
        if span.planned_end:
            body.append(f'<rect x="{begin:.1f}" y="{y + 2}" width="{max(x(span.planned_end) - begin, 1):.1f}" '
                        f'height="12" fill="none" stroke="{PLANNED}" stroke-dasharray="3,2"/>')
        finish = span.completed_on or as_of
        colour = ACTUAL if span.completed_on else ONGOING
        body.append(f'<rect x="{begin:.1f}" y="{y + 5}" width="{max(x(finish) - begin, 1):.1f}" '
                    f'height="6" fill="{colour}"/>')
    today = x(as_of)
    bottom = top + row * len(spans)
    body.append(f'<line x1="{today:.1f}" y1="{top - 4}" x2="{today:.1f}" y2="{bottom}" stroke="#c62828"/>')
    body += _legend(bottom + 14, [(PLANNED, legend[0], True), (ACTUAL, legend[1], False), (ONGOING, legend[2], False)])
    return svg(bottom + 24, body, label)


def _legend(y: int, items: list[tuple[str, str, bool]]) -> list[str]:
    body, at = [], 0
    for colour, text, outline in items:
        fill = f'fill="none" stroke="{colour}" stroke-dasharray="3,2"' if outline else f'fill="{colour}"'
        body.append(f'<rect x="{at}" y="{y - 9}" width="14" height="9" {fill}/>')
        body.append(f'<text x="{at + 18}" y="{y}" {FONT}>{escape(text)}</text>')
        at += 24 + 7 * len(text)
    return body


def milestone_completion(areas: list[AreaReport], label: str, legend: tuple[str, str, str],
                         everyone: str, most: int = 30) -> str:
    """Milestones due in the period per area: met on time, met late, not met. More areas than
    ``most`` are summed into one bar (a chart of 4,000 bars helps nobody)."""
    rows: list[tuple[str, int, int, int]] = [(a.name, a.on_time, len(a.late), len(a.missing)) for a in areas]
    if len(rows) > most:
        rows = [(everyone, sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows))]
    left, right, row = 250, WIDTH - 60, 20
    body = []
    for index, (name, on_time, late, missing) in enumerate(rows):
        y = index * row
        total = max(on_time + late + missing, 1)
        shown = name if len(name) <= 40 else name[:39] + "…"
        body.append(f'<text x="0" y="{y + 13}" {FONT}>{escape(shown)}</text>')
        at = float(left)
        for count, colour in ((on_time, ON_TIME), (late, LATE), (missing, MISSING)):
            width = (right - left) * count / total
            if count:
                body.append(f'<rect x="{at:.1f}" y="{y + 3}" width="{width:.1f}" height="13" fill="{colour}"/>')
            at += width
        body.append(f'<text x="{right + 4}" y="{y + 13}" {FONT}>{on_time}/{late}/{missing}</text>')
    bottom = row * len(rows) + 16
    body += _legend(bottom, [(ON_TIME, legend[0], False), (LATE, legend[1], False), (MISSING, legend[2], False)])
    return svg(bottom + 8, body, label)


def costs_per_year(costs: dict[int, int | None], label: str, unit: str, not_reported: str) -> str:
    """Bars per year, in whole kronor; a year nobody reported has no bar but says so — never a
    bar of 0."""
    if not costs:
        return svg(24, [f'<text x="0" y="16" {FONT}>–</text>'], label)
    height, base, top = 170, 145, 20
    most = max(max((v for v in costs.values() if v is not None), default=1), 1)
    slot = min(120, (WIDTH - 20) // len(costs))
    body = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#999"/>']
    for index, (year, ore) in enumerate(sorted(costs.items())):
        x = 10 + index * slot
        if ore is None:
            body.append(f'<text x="{x}" y="{base - 6}" {FONT} fill="#c62828">{escape(not_reported)}</text>')
        else:
            bar = (base - top) * ore / most
            body.append(f'<rect x="{x}" y="{base - bar:.1f}" width="{slot - 20}" height="{bar:.1f}" fill="{ACTUAL}"/>')
            body.append(f'<text x="{x}" y="{base - bar - 4:.1f}" {FONT}>{whole_kronor(ore)} {escape(unit)}</text>')
        body.append(f'<text x="{x}" y="{base + 16}" {FONT}>{year}</text>')
    return svg(height, body, label)


def whole_kronor(ore: int) -> str:
    """'1 250 001' — rounded to whole kronor, thin groups as in Swedish print."""
    return f"{round(ore / 100):,}".replace(",", "\u00a0")

"""Charts of the effects as SVG text: a factor in the area against its comparison across every
wave, the programmes' periods shaded behind (the områdesprofil), and the few-pixel trend of an
area's priority factors beside its row on the overview. Plain string building with fixed
decimals, like ctcflow.report.charts; every picture says the same in words for screen readers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import TYPE_CHECKING

from ctcflow.core.templating import percent
from ctcflow.report.charts import FONT, WIDTH, svg

if TYPE_CHECKING:
    from ctcflow.survey.effects import Trend

AREA, COMPARISON, PROGRAMME, GRID = "#00558c", "#595959", "#d4e8cc", "#e3e3e3"


@dataclass(frozen=True)
class Period:
    """A programme's time in the area: from the day it was chosen to the end of the last period
    reported on (None: chosen, nothing reported yet — drawn as a mark, not a span)."""

    name: str
    start: date
    end: date | None


@dataclass(frozen=True)
class ChartWords:
    area: str  # "området"
    comparison: str  # "resten av staden"
    baseline: str  # "baslinje"
    not_reported: str  # "inget genomförande rapporterat"
    period: str  # "{name} {start}–{end}"


def effect_chart(title: str, trend: Trend, days: dict[str, date], baseline: str, periods: list[Period],
                 words: ChartWords, lang: str) -> str:
    """The area's share (solid, with its figures) and the comparison's (dashed) in each wave on a
    time axis; the baseline wave marked; each programme a band on top and a shade behind."""
    points = [(days[w], mine, other) for w, mine, other in trend.points if w in days]
    band, left, right = 14 * len(periods), 44, WIDTH - 12
    top, bottom = 8 + band + 12, 8 + band + 12 + 130
    known = list(days.values()) + [p.start for p in periods] + [p.end for p in periods if p.end]
    start, end = date(min(known).year, 1, 1), date(max(known).year + 1, 1, 1)
    scale = (right - left) / max((end - start).days, 1)
    highest = max([max(m, o) for _, m, o in points], default=0.1)
    ceiling = max(0.1, math.ceil(highest * 1.2 * 10) / 10)  # room above the highest point for its figure

    def x(day: date) -> float:
        return left + (min(max(day, start), end) - start).days * scale

    def y(share: float) -> float:
        return bottom - (bottom - top) * share / ceiling

    body: list[str] = []
    for index, period in enumerate(periods):
        begin, row = x(period.start), 8 + 14 * index
        name = escape(words.period.format(name=period.name, start=period.start.isoformat(),
                                          end=period.end.isoformat() if period.end else words.not_reported))
        if period.end is not None:
            width = max(x(period.end) - begin, 2)
            body.append(f'<rect x="{begin:.1f}" y="{top:.1f}" width="{width:.1f}" height="{bottom - top:.1f}" '
                        f'fill="{PROGRAMME}" fill-opacity="0.55"/>')
            body.append(f'<rect x="{begin:.1f}" y="{row}" width="{width:.1f}" height="11" fill="{PROGRAMME}"/>')
        else:
            body.append(f'<line x1="{begin:.1f}" y1="{row}" x2="{begin:.1f}" y2="{bottom}" stroke="#5b8c4a" '
                        f'stroke-dasharray="2,2"/>')
        anchor = "end" if begin > (left + right) / 2 else "start"
        body.append(f'<text x="{begin + (-3 if anchor == "end" else 3):.1f}" y="{row + 9}" {FONT} '
                    f'text-anchor="{anchor}">{name}</text>')
    for share in (0.0, ceiling / 2, ceiling):
        body.append(f'<line x1="{left}" y1="{y(share):.1f}" x2="{right}" y2="{y(share):.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 4}" y="{y(share) + 4:.1f}" {FONT} text-anchor="end" fill="#444">'
                    f'{escape(percent(share, lang))}</text>')
    for year in range(start.year, end.year + 1):
        at = x(date(year, 1, 1))
        body.append(f'<line x1="{at:.1f}" y1="{bottom}" x2="{at:.1f}" y2="{bottom + 4}" stroke="#999"/>')
        if year < end.year:
            body.append(f'<text x="{at + 3:.1f}" y="{bottom + 15}" {FONT} fill="#444">{year}</text>')
    if baseline in days:
        at = x(days[baseline])
        body.append(f'<line x1="{at:.1f}" y1="{top - 6}" x2="{at:.1f}" y2="{bottom}" stroke="#1d1d1b" '
                    f'stroke-dasharray="1,3"/>')
        body.append(f'<text x="{at + 3:.1f}" y="{top - 1}" {FONT}>{escape(words.baseline)}</text>')
    body += _line([(x(d), y(o)) for d, _, o in points], COMPARISON, dashed=True)
    body += _line([(x(d), y(m)) for d, m, _ in points], AREA, dashed=False)
    for day, mine, _ in points:
        body.append(f'<text x="{x(day):.1f}" y="{y(mine) - 7:.1f}" {FONT} text-anchor="middle" fill="{AREA}">'
                    f'{escape(percent(mine, lang))}</text>')
    legend_y = bottom + 32
    body.append(f'<line x1="0" y1="{legend_y - 4}" x2="22" y2="{legend_y - 4}" stroke="{AREA}" stroke-width="2.5"/>')
    body.append(f'<text x="28" y="{legend_y}" {FONT}>{escape(words.area)}</text>')
    at = 40 + 7 * len(words.area)
    body.append(f'<line x1="{at}" y1="{legend_y - 4}" x2="{at + 22}" y2="{legend_y - 4}" stroke="{COMPARISON}" '
                f'stroke-width="2" stroke-dasharray="5,3"/>')
    body.append(f'<text x="{at + 28}" y="{legend_y}" {FONT}>{escape(words.comparison)}</text>')
    return svg(legend_y + 8, body, _said(title, points, periods, words, lang))


def _line(points: list[tuple[float, float]], colour: str, *, dashed: bool) -> list[str]:
    if not points:
        return []
    dash = ' stroke-dasharray="5,3"' if dashed else ""
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    marks = [f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="{colour}"/>' if dashed else
             f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>' for px, py in points]
    return [f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{2 if dashed else 2.5}"{dash}/>',
            *marks]


def _said(title: str, points: list[tuple[date, float, float]], periods: list[Period], words: ChartWords,
          lang: str) -> str:
    """The chart in one sentence: every figure it draws, and the programmes' periods."""
    mine = ", ".join(f"{d.year}: {percent(m, lang)}" for d, m, _ in points)
    other = ", ".join(f"{d.year}: {percent(o, lang)}" for d, _, o in points)
    spans = "; ".join(words.period.format(name=p.name, start=p.start.isoformat(),
                                          end=p.end.isoformat() if p.end else words.not_reported) for p in periods)
    return f"{title}. {words.area}: {mine}. {words.comparison}: {other}." + (f" {spans}." if spans else "")


def gap_sparkline(gaps: list[tuple[str, float]], label: str) -> str:
    """An area's priority factors against the comparison, wave by wave, in percentage points
    (above the grey line: worse than the comparison). 80 × 22 pixels beside a table row."""
    if not gaps:
        return ""
    reach = max(10.0, max(abs(g) for _, g in gaps))
    step = 72 / max(len(gaps) - 1, 1)

    def y(gap: float) -> float:
        return 11 - 9 * gap / reach

    path = " ".join(f"{4 + i * step:.1f},{y(g):.1f}" for i, (_, g) in enumerate(gaps))
    end_x, end_y = 4 + (len(gaps) - 1) * step, y(gaps[-1][1])
    return (f'<svg class="gap" width="80" height="22" viewBox="0 0 80 22" role="img" aria-label="{escape(label)}">'
            f'<title>{escape(label)}</title><line x1="0" y1="11" x2="80" y2="11" stroke="#8a8a8a" '
            f'stroke-dasharray="2,2"/><polyline points="{path}" fill="none" stroke="{AREA}" stroke-width="1.5"/>'
            f'<circle cx="{end_x:.1f}" cy="{end_y:.1f}" r="2.5" fill="{AREA}"/></svg>')

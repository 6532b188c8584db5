"""Notification texts from the jinja2 templates under ``templates/<lang>/``.

A template sets ``subject`` with ``{% set subject %}…{% endset %}`` and renders the body, so
one file holds everything a reader of one kind of message sees. Undefined variables are an
error, never an empty gap in a message sent to a person.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateNotFound

from ctcflow.core.errors import CtcError

WEEKDAYS = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}


def long_date(day: date, lang: str = "sv") -> str:
    """'fredag 14 mars 2025' / 'Friday 14 March 2025': unambiguous in a mail read on a phone."""
    lang = lang if lang in WEEKDAYS else "sv"
    return f"{WEEKDAYS[lang][day.weekday()]} {day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def environment(templates_dir: Path, *, html: bool) -> Environment:
    """The one way templates are loaded — messages, pages, reports: undefined values are errors,
    HTML is escaped, and dates and shares are written the same everywhere."""
    env = Environment(loader=FileSystemLoader(str(templates_dir)), undefined=StrictUndefined, autoescape=html,
                      keep_trailing_newline=True, auto_reload=False)  # compiled once: no disk check per message
    env.filters["longdate"] = long_date
    env.filters["percent"] = percent
    return env


class Renderer:
    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self.env = environment(templates_dir, html=False)
        self.pages = environment(templates_dir, html=True)

    def render(self, name: str, lang: str, **context: Any) -> tuple[str, str]:
        """(subject, body) of template ``name`` in ``lang``."""
        try:
            template = self.env.get_template(f"{lang}/{name}.txt.j2")
        except TemplateNotFound:
            raise CtcError(f"no template {lang}/{name}.txt.j2 in {self.templates_dir}") from None
        module = template.make_module({"lang": lang, **context})
        subject = " ".join(str(getattr(module, "subject", "")).split())
        body = str(module).strip() + "\n"
        return subject, body


    def page(self, name: str, lang: str, **context: Any) -> str:
        """An HTML page from ``<lang>/<name>.html.j2``, every value escaped."""
        try:
            template = self.pages.get_template(f"{lang}/{name}.html.j2")
        except TemplateNotFound:
            raise CtcError(f"no template {lang}/{name}.html.j2 in {self.templates_dir}") from None
        return template.render(lang=lang, **context)


def percent(share: float | None, lang: str = "sv") -> str:
    """'42 %' in Swedish, '42%' in English; '–' for a suppressed or missing figure."""
    if share is None:
        return "–"
    value = round(share * 100)
    return f"{value} %" if lang == "sv" else f"{value}%"


def points(difference: float, lang: str = "sv") -> str:
    """A difference of shares in percentage points, signed, one decimal: '−4,2' / '−4.2'."""
    text = f"{difference * 100:+.1f}".replace("-", "−")
    return text.replace(".", ",") if lang == "sv" else text


@lru_cache(maxsize=4)
def renderer(templates_dir: Path) -> Renderer:
    return Renderer(templates_dir)


@lru_cache(maxsize=32)
def phrasebook(templates_dir: Path, lang: str, name: str) -> dict[str, Any]:
    """The words of ``templates/<lang>/<name>.yml`` (a page's labels, a report's headings, what a
    check found): read once per process, the same for every caller."""
    path = templates_dir / lang / f"{name}.yml"
    with path.open(encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict):
        raise CtcError(f"{path}: expected a mapping of words")
    return loaded


@lru_cache(maxsize=256)
def _phrase_template(templates_dir: Path, lang: str, name: str, key: str, field: str) -> Template:
    text = phrasebook(templates_dir, lang, name)[key][field]
    return environment(templates_dir, html=False).from_string(str(text))


def phrase(templates_dir: Path, lang: str, name: str, key: str, field: str, **context: Any) -> str:
    """One sentence of a phrasebook, its {{ … }} filled from ``context`` (compiled once)."""
    return _phrase_template(templates_dir, lang, name, key, field).render(lang=lang, **context).strip()

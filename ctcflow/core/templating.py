"""The one way templates are rendered — messages, pages, documents, reports.

Each template is written once, its words in English marked for translation (``_("…")``,
``{% trans %}``); the reader's language comes with the context (``in_language``), so one
compiled template serves every language. A message template sets ``subject`` with
``{% set subject %}…{% endset %}`` and renders the body, so one file holds everything a reader
of one kind of message sees. Undefined variables are an error, never an empty gap in a message
sent to a person.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup, escape

from ctcflow.core.errors import CtcError
from ctcflow.core.words import language, words


def long_date(day: date, lang: str = "sv") -> str:
    """'fredag 14 mars 2025' / 'Friday 14 March 2025': unambiguous in a mail read on a phone.
    The names of days and months are the language's own (Babel's locale data)."""
    return format_date(day, "EEEE d MMMM y", locale=language(lang))


def breakable(name: str) -> Markup:
    """'Kirsebergsstaden/Rostorp/Segevång/Segemölla' may wrap after each slash on a phone, not in
    the middle of a word."""
    return Markup("/<wbr>").join(escape(part) for part in name.split("/"))


def in_language(lang: str | None) -> dict[str, Any]:
    """What a template needs to speak ``lang``: the gettext callables its ``_()`` and
    ``{% trans %}`` call, and ``lang`` itself (numbers and dates are written by it)."""
    w = words(lang)
    return {"lang": w.lang, "_": w, "gettext": w, "ngettext": w.n, "pgettext": w.p}


def environment(templates_dir: Path, *, html: bool) -> Environment:
    """The one way templates are loaded — messages, pages, reports: undefined values are errors,
    HTML is escaped, and dates and shares are written the same everywhere."""
    env = Environment(loader=FileSystemLoader(str(templates_dir)), undefined=StrictUndefined, autoescape=html,
                      keep_trailing_newline=True, auto_reload=False,  # compiled once: no disk check per message
                      extensions=["jinja2.ext.i18n"])
    env.filters["longdate"] = long_date
    env.filters["percent"] = percent
    if html:
        env.filters["breakable"] = breakable
    return env


class Renderer:
    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self.env = environment(templates_dir, html=False)
        self.pages = environment(templates_dir, html=True)

    def render(self, name: str, lang: str, **context: Any) -> tuple[str, str]:
        """(subject, body) of the message ``templates/mail/<name>.txt.j2`` in ``lang``."""
        try:
            template = self.env.get_template(f"mail/{name}.txt.j2")
        except TemplateNotFound:
            raise CtcError(f"no template mail/{name}.txt.j2 in {self.templates_dir}") from None
        module = template.make_module({**context, **in_language(lang)})
        subject = " ".join(str(getattr(module, "subject", "")).split())
        body = str(module).strip() + "\n"
        return subject, body

    def page(self, name: str, lang: str, **context: Any) -> str:
        """A document (``templates/documents/<name>.html.j2``) in ``lang``, every value escaped."""
        try:
            template = self.pages.get_template(f"documents/{name}.html.j2")
        except TemplateNotFound:
            raise CtcError(f"no template documents/{name}.html.j2 in {self.templates_dir}") from None
        return template.render({**context, **in_language(lang)})


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

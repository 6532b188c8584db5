"""The words people read, in their language: one gettext catalogue per language.

Every template and every sentence the code writes is written once, in English, and marked for
translation — ``_("…")`` and ``{% trans %}`` in templates, ``t("…")`` (a ``Words``),
``say(lang, "…")`` or ``N_("…")`` in Python. ``./run words`` extracts the marked texts (Babel),
merges them into the Swedish and English catalogues (``ctcflow/locale/<lang>/LC_MESSAGES/
ctcflow.po``, edited by the people who write those languages) and compiles them. A catalogue
edited since it was compiled is compiled again in memory, so an edit shows at once and a fresh
clone needs no build step.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "ctcflow"
LANGUAGES = ("sv", "en")
DEFAULT = "sv"


def language(lang: str | None) -> str:
    """A language the catalogues hold: anything else reads Swedish, the default."""
    return lang if lang in LANGUAGES else DEFAULT


def N_(message: str) -> str:  # noqa: N802 — the gettext convention for "translate later"
    """Marks a text for extraction where it is defined; it is translated where it is shown."""
    return message


class Words:
    """The translation of one language, called like gettext: ``w("Overview")``."""

    def __init__(self, lang: str, catalogue: gettext.NullTranslations) -> None:
        self.lang = lang
        self.catalogue = catalogue

    def __call__(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def n(self, singular: str, plural: str, count: int) -> str:
        return self.catalogue.ngettext(singular, plural, count)

    def p(self, context: str, message: str) -> str:
        return self.catalogue.pgettext(context, message)


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compiled(lang: str) -> gettext.GNUTranslations:
    source = catalogue_path(lang)
    compiled = source.with_suffix(".mo")
    if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
        with compiled.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@lru_cache(maxsize=len(LANGUAGES))
def words(lang: str | None) -> Words:
    """The words of ``lang`` (Swedish for anything unknown), read once per process."""
    lang = language(lang)
    return Words(lang, _compiled(lang))


def say(lang: str | None, message: str, **values: object) -> str:
    """One marked sentence in ``lang``, its ``{name}`` places filled."""
    text = words(lang)(message)
    return text.format(**values) if values else text


def translated(lang: str | None, value: Any) -> Any:
    """A closed set of marked words (a mapping or tuple of ``N_`` texts, nested) in ``lang``."""
    w = words(lang)
    if isinstance(value, str):
        return w(value)
    if isinstance(value, dict):
        return {key: translated(lang, item) for key, item in value.items()}
    return tuple(translated(lang, item) for item in value)

"""``./run words``: extract every marked text, merge it into the catalogues, compile them.

``./run words --check`` changes nothing and fails when a marked text is missing from a
catalogue or has no translation, or a catalogue holds a text the code no longer says — the
test suite runs it, so a Swedish page never shows an English sentence.
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from ctcflow.core.words import DOMAIN, LANGUAGES, LOCALE_DIR, catalogue_path

ROOT = LOCALE_DIR.parent.parent
KEYWORDS = {"_": None, "N_": None, "t": None, "words": None, "say": (2,),
            "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def extracted() -> Catalog:
    """Every marked text in the code and the templates, with the files it is in."""
    with (LOCALE_DIR / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    template = Catalog(domain=DOMAIN, project="ctcflow", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def _read(lang: str) -> Catalog:
    path = catalogue_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, charset="utf-8", project="ctcflow",
                       header_comment=f"# The words of ctcflow in {lang}: ./run words adds what is new.")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def problems(template: Catalog, lang: str) -> list[str]:
    """What is wrong with one catalogue against the code: texts missing or untranslated, texts
    the code no longer says."""
    catalogue = _read(lang)
    wanted = {m.id for m in template if m.id}
    have = {m.id: m for m in catalogue if m.id}
    found = [f"{lang}: missing: {_short(i)}" for i in wanted - have.keys()]
    found += [f"{lang}: untranslated: {_short(i)}" for i in wanted & have.keys()
              if not _translated(have[i].string) or have[i].fuzzy]
    found += [f"{lang}: no longer used: {_short(i)}" for i in have.keys() - wanted]
    return sorted(found)


def _translated(string: object) -> bool:
    """A text, or for a plural every form of it, written in the catalogue."""
    return all(string) if isinstance(string, tuple) else bool(string)


def _short(message_id: object) -> str:
    text = message_id if isinstance(message_id, str) else " | ".join(message_id)  # type: ignore[arg-type]
    return text if len(text) < 90 else text[:87] + "…"


def update(template: Catalog) -> None:
    """Merge the extracted texts into each catalogue (new ones empty to translate, English ones
    as written) and compile it."""
    for lang in LANGUAGES:
        catalogue = _read(lang)
        template.creation_date = catalogue.creation_date  # a re-run that finds nothing new changes nothing
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        if lang == "en":
            for message in catalogue:
                if message.id and not _translated(message.string):
                    message.string = message.id
        path = catalogue_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=100, include_previous=False, include_lineno=False)
        compiled = BytesIO()
        write_mo(compiled, catalogue)
        path.with_suffix(".mo").write_bytes(compiled.getvalue())


def main(argv: list[str]) -> int:
    template = extracted()
    if "--check" in argv:
        found = [p for lang in LANGUAGES for p in problems(template, lang)]
        for problem in found:
            print(problem)
        if found:
            print(f"{len(found)} problem(s): run ./run words, then translate what is new in "
                  f"{Path(catalogue_path('sv')).relative_to(ROOT)}", file=sys.stderr)
        return 1 if found else 0
    update(template)
    for lang in LANGUAGES:
        for problem in problems(template, lang):
            print(problem)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

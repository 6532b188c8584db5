"""One mechanism for words: every template is written once, its words and the code's in the
gettext catalogues (Swedish and English), kept in step by ``./run words`` — so a Swedish page,
mail or paper never shows an English sentence and a change to a template changes both
languages at once."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest
from jinja2 import Environment

from ctcflow.core.config import PROJECT_ROOT
from ctcflow.core.templating import renderer
from ctcflow.core.words import LANGUAGES, words
from ctcflow.locale.__main__ import extracted, main, problems

pytestmark = pytest.mark.slow  # every template and module extracted by Babel


TEMPLATES = PROJECT_ROOT / "templates"
CODE = [PROJECT_ROOT / "ctcflow", PROJECT_ROOT / "tasks", PROJECT_ROOT / "flows"]


def test_every_marked_text_is_translated_in_both_catalogues_and_none_is_stale(capsys: pytest.CaptureFixture[str]
                                                                               ) -> None:
    template = extracted()
    assert len(template) > 500  # the pages, the paper, the mails, the documents and the CLI
    for lang in LANGUAGES:
        assert problems(template, lang) == []
    assert main(["--check"]) == 0
    assert capsys.readouterr().out == ""


def test_the_check_names_what_a_new_text_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sentence added to a template without a translation fails the check, by its words."""
    from ctcflow.locale import __main__ as tool

    sentence = "A sentence nobody has translated yet"
    catalogue = extracted()
    catalogue.add(sentence, None, [("templates/web/base.html.j2", 0)])
    monkeypatch.setattr(tool, "extracted", lambda: catalogue)
    assert tool.main(["--check"]) == 1
    assert f"sv: missing: {sentence}" in tool.problems(catalogue, "sv")


def test_no_template_exists_per_language_and_no_phrasebook_is_left() -> None:
    files = [p.relative_to(TEMPLATES) for p in TEMPLATES.rglob("*") if p.is_file()]
    assert files
    assert not [f for f in files if set(f.parts) & set(LANGUAGES)], "a template folder per language"
    assert not [f for f in files if f.suffix in (".yml", ".yaml")], "words outside the catalogues"


def test_no_python_module_holds_its_own_translations() -> None:
    """No dict keyed by language ({"sv": …, "en": …}) and no `lang == "sv"` choice of words:
    the catalogues are the one place."""
    offenders = []
    for path in itertools.chain.from_iterable(folder.rglob("*.py") for folder in CODE):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):  # {"sv": "vakant", "en": "vacant"}; N_("…") values are marked
                keys = {k.value for k, v in zip(node.keys, node.values, strict=True)
                        if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
                if {"sv", "en"} <= keys:
                    offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
            if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare) \
                    and any(isinstance(c, ast.Constant) and c.value in LANGUAGES for c in node.test.comparators) \
                    and isinstance(node.body, ast.Constant) and isinstance(node.body.value, str) \
                    and re.search(r"[a-zåäö]{3} [a-zåäö]{3}", node.body.value):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_marked_text_hides_inside_an_f_string() -> None:
    """Babel reads an f-string as one string: a text marked inside it is never extracted, so it
    would stay English on a Swedish page while the check passes."""
    hidden = re.compile(r"""f(["'])[^"'\n]*\{(say|t|words|_|N_)\(""")
    found = [f"{path.relative_to(PROJECT_ROOT)}:{n}"
             for path in itertools.chain.from_iterable(folder.rglob("*.py") for folder in CODE)
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if hidden.search(line)]
    assert found == []


def _skeleton(env: Environment, source: str) -> tuple[str, ...]:
    """A template without its words: its tags, names and operators in order — what two copies
    of one template in two languages have in common."""
    return tuple(f"{kind}:{value}" for _, kind, value in env.lex(source)
                 if kind not in ("data", "string", "whitespace", "comment", "comment_begin", "comment_end"))


def test_no_two_templates_share_their_structure() -> None:
    env = Environment(extensions=["jinja2.ext.i18n"])
    skeletons: dict[tuple[str, ...], Path] = {}
    twins = []
    for path in sorted(TEMPLATES.rglob("*.j2")):
        shape = _skeleton(env, path.read_text(encoding="utf-8"))
        if len(shape) < 40:  # a few tags say nothing of a template's structure
            continue
        if shape in skeletons:
            twins.append((skeletons[shape].name, path.name))
        skeletons[shape] = path
    assert twins == []


def test_the_structure_check_catches_a_copy_in_another_language() -> None:
    env = Environment(extensions=["jinja2.ext.i18n"])
    source = (TEMPLATES / "mail" / "stall.txt.j2").read_text(encoding="utf-8")
    copy = re.sub(r"(?<=%})[^{]+", lambda m: m.group(0).upper(), source)  # other words, same tags
    assert copy != source
    assert _skeleton(env, copy) == _skeleton(env, source)


def test_one_template_speaks_each_language_from_the_catalogue() -> None:
    context = {"person": "Anna", "link": "https://ctc.example/x", "municipality": "Malmö", "minutes": 30}
    subject_sv, body_sv = renderer(TEMPLATES).render("login", "sv", **context)
    subject_en, body_en = renderer(TEMPLATES).render("login", "en", **context)
    assert subject_sv == "Din inloggningslänk till CTC-sidorna"
    assert subject_en == "Your sign-in link to the CTC pages"
    assert body_sv.startswith("Hej Anna,") and "30 minuter" in body_sv and "Hälsningar" in body_sv
    assert body_en.startswith("Hello Anna,") and "30 minutes" in body_en
    assert words("sv")("Overview") == "Översikt" and words("en")("Overview") == "Overview"
    assert words("xx").lang == "sv"  # an unknown language reads Swedish, the default

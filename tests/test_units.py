"""Fast tests of small units on tiny inline data: the command line's list options, the finding
texts from the catalogues, the typed flow results."""

from __future__ import annotations

from typing import get_args

import pytest

from ctcflow.cli.main import spread_lists
from ctcflow.engine.findings import Finding
from tasks.models import DeliverySummary, NoticeLine


@pytest.mark.parametrize(("given", "spread"), [
    (["report", "ks", "--format", "html", "md", "--send"], ["report", "ks", "--format", "html", "--format", "md",
                                                             "--send"]),
    (["outbox", "--retry"], ["outbox", "--retry", "all"]),
    (["outbox", "--retry", "3", "4", "--lang", "en"], ["outbox", "--retry", "3", "--retry", "4", "--lang", "en"]),
    (["cost", "list", "--year", "2023"], ["cost", "list", "--year", "2023"]),
    (["report", "ks", "--format"], ["report", "ks", "--format"]),  # click says a value is missing
    (["status", "--area", "x"], ["status", "--area", "x"]),
])
def test_list_options_are_written_as_the_readme_writes_them(given: list[str], spread: list[str]) -> None:
    assert spread_lists(given) == spread


def _finding(check: str, **details: object) -> Finding:
    return Finding("a", "p", 1, 1, check, "utvecklingsledare", False, dict(details))


@pytest.mark.parametrize(("finding", "sv", "en"), [
    (_finding("team_sectors", missing=["Skola", "Polis"]), "Områdesteamet saknar sektorerna: Skola, Polis",
     "The area team lacks the sectors: Skola, Polis"),
    (_finding("survey_wave", due="2021-03-12"),
     "Ingen enkätomgång med svar från området är importerad (enkäten ska vara klar 2021-03-12)",
     "No survey wave with answers from the area is imported (the survey is due 2021-03-12)"),
    (_finding("survey_wave", due=None), "Ingen enkätomgång med svar från området är importerad",
     "No survey wave with answers from the area is imported"),
    (_finding("priority_decision", suggested=[]),
     "Områdesteamets beslut om 2–5 prioriterade faktorer saknas (förslag: inga)",
     "The area team's decision on 2–5 priority factors is missing (suggested: none)"),
    (_finding("programme_coverage", no_decision=False, uncovered=["konflikter_i_familjen", "x"]),
     "Prioriterade faktorer utan program i handlingsplanen: Konflikter i familjen, x",
     "Priority factors without a programme in the plan: Family conflict, x"),
    (_finding("fidelity", programme="PALS", adherence=0.55, minimum=0.8, period_end="2020-01-31"),
     "Låg programtrohet i PALS: 55 % (lägst 80 %)", "Low fidelity in PALS: 55% (minimum 80%)"),
])
def test_a_finding_reads_the_same_in_both_languages_from_the_catalogues(finding: Finding, sv: str, en: str) -> None:
    assert finding.text("sv") == sv
    assert finding.text("en") == en


def test_every_check_has_a_headline_and_advice_in_both_languages() -> None:
    from ctcflow.definition.process import PhaseCheck
    from ctcflow.engine.finding_words import HEADLINES, HOW, headline, how_to_fix

    checks = set(get_args(PhaseCheck))
    assert set(HEADLINES) == checks and set(HOW) == checks
    for check in checks:  # Swedish from the catalogue, never the English it is written in
        assert headline(check, "sv") != headline(check, "en")
        assert how_to_fix(check, "sv") != how_to_fix(check, "en")


def test_flow_results_are_typed_and_say_what_was_not_sent() -> None:
    skipped = DeliverySummary.of(None)
    assert skipped.skipped and skipped.sections()["nothing_sent"] == ["helg eller svensk helgdag"]
    line = NoticeLine(kind="reminder", area="a", recipient="p", subject="s")
    assert line.line() == "reminder · a · s → p"
    assert DeliverySummary.model_validate_json(skipped.model_dump_json()) == skipped


@pytest.mark.parametrize(("args", "says"), [
    (["status", "--bogus"], "No such option: --bogus"),
    (["done", "bellevuegarden_lorensborg"], "Missing argument 'milestone'"),
    (["status", "--as-of", "2020-13-01"], "'2020-13-01' is not a date; write YYYY-MM-DD"),
    (["outbox", "--limit", "many"], "Invalid value for '--limit'"),
    (["report", "ks", "--format"], "--format"),
    ([], "Usage: ctc"),
])
def test_a_wrong_command_line_is_a_clear_error_never_a_traceback(args: list[str], says: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from ctcflow.cli.main import main

    assert main(args) == 2
    captured = capsys.readouterr()
    assert says in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err

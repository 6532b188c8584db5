"""Whether the right person acts: a city of Malmö's shape — five areas running, nine planned that
never start, a lead who leaves and is not replaced, a report to the board never sent — replayed
every working day through the real morning (SQLite, SMTP on loopback). The board must know of
each failure within 20 working days, nobody may get more than one brief a day, and every notice
decided must be in exactly one delivered brief (counted by key)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.attention import PLANNED, RUNNING, SHORT, Figures, area_id, replay
from ctcflow.core.config import reset_settings


@dataclass
class Replayed:
    figures: Figures
    folder: Path


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replayed]:
    folder = tmp_path_factory.mktemp("attention")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("CTC_PHASES_FILE", "CTC_AREAS_FILE", "CTC_DATA_DIR"):
            patch.setenv(name, "")  # restored when the module is done
        patch.delenv("CTC_DATABASE_URL", raising=False)
        figures = replay(folder, SHORT)
        yield Replayed(figures, folder)
    reset_settings()


def test_nobody_gets_more_than_one_brief_a_day_and_no_notice_is_lost_or_doubled(replayed: Replayed) -> None:
    figures = replayed.figures
    assert figures.items > 500  # the replay is noisy: hundreds of notices
    assert max(count for per_day in figures.briefs.values() for count in per_day.values()) == 1
    assert figures.lost == [] and figures.twice == 0
    # the samordnare hears every working day at most once, outside what goes at once
    assert max(figures.per_day("samordnare")) == 1


def test_every_planted_failure_reaches_the_board_within_20_working_days_climbing_the_ladder(
        replayed: Replayed) -> None:
    for failure, knew in replayed.figures.knew.items():
        samordnare, chef, board = knew["samordnare"], knew["chef"], knew["ks"]
        assert board is not None and board <= 20, (failure, knew)
        assert chef is not None and chef <= board, (failure, knew)  # the chief before the board: no step skipped
        if failure != "missed report":  # the samordnare owns the report: the ladder starts above them
            assert samordnare is not None and samordnare <= chef, (failure, knew)


def test_the_next_report_to_the_board_states_the_stalls_the_vacancy_and_what_reached_the_board(
        replayed: Replayed, tmp_path: Path) -> None:
    from ctcflow.cli.main import main

    assert main(["report", "ks", "--period", "2020", "--as-of", SHORT.until.isoformat(), "--format", "md",
                 "--out", str(tmp_path)]) == 0
    [report] = list(tmp_path.glob("*.md"))
    text = report.read_text(encoding="utf-8")
    summary = text.split("## Sammanfattning", 1)[1].split("## Förslag till beslut", 1)[0]
    assert f"CTC bedrivs i {RUNNING} av {RUNNING + PLANNED} planerade områden." in summary
    assert "behöver kommunstyrelsens beslut" in summary
    for i in range(RUNNING, RUNNING + PLANNED):
        assert f"Område {i + 1} skulle börja {SHORT.planned_start} men har inte kommit igång" in summary
    assert "Rollen Utvecklingsledare i Område 4 har varit obesatt sedan" in summary
    assert "Eskalerat till kommunstyrelsen" in summary and "rapport till kommunstyrelsen 2020" in summary
    proposals = text.split("## Förslag till beslut", 1)[1].split("## Ärendet", 1)[0]
    for i in range(RUNNING, RUNNING + PLANNED):
        assert f"hur och när arbetet i Område {i + 1} ska komma igång" in proposals
    assert "att se till att rollen Utvecklingsledare i Område 4 tillsätts" in proposals
    assert area_id(0) not in text  # names, never ids

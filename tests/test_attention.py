"""Whether the right person acts: a city of Malmö's shape — five areas running, nine planned that
never start, a lead who leaves and is not replaced, a report to the board never sent, a
reorganisation with new holders, an acknowledgement that lapses — replayed every working day
through the real morning (SQLite, SMTP on loopback). The board must know of each failure within
20 working days and hear of no single milestone, nobody may get more than one brief a day, every
notice decided must be shown in exactly one delivered mail (counted by key), no escalation may go
down or sideways, and no area may be called not started before it is late."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import col

from bench.attention import ACKED, PLANNED, RUNNING, SHORT, area_id, replay
from bench.attention_figures import Figures
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
    assert figures.lost == [] and figures.twice == 0 and figures.unshown == 0
    # the samordnare's role hears every working day at most once, outside what goes at once
    assert max(figures.per_role_day("central_samordnare")) == 1


def test_every_planted_failure_reaches_the_board_within_20_working_days_climbing_the_ladder(
        replayed: Replayed) -> None:
    figures = replayed.figures
    for failure, knew in figures.knew.items():
        samordnare, chef, board = knew["samordnare"], knew["chef"], knew["ks"]
        assert board is not None and board <= 20, (failure, knew)
        assert chef is not None and chef <= board, (failure, knew)  # the chief before the board: no step skipped
        if failure != "missed report":  # the samordnare owns the report: the ladder starts above them
            assert samordnare is not None and samordnare <= chef, (failure, knew)
    assert figures.reminded["missed report"] >= 1  # the board is reminded while the report stays missing
    # what reached the board are stalls, vacancies, reports and areas — never a single milestone
    assert figures.board["not_started"] and figures.board["report_escalation"]
    assert figures.board.get("escalation", 0) == 0
    assert figures.downward == 0 and figures.false_not_started == 0


def test_the_new_holders_get_a_handover_and_a_lapsed_acknowledgement_resumes_the_climb(replayed: Replayed) -> None:
    from sqlalchemy import select

    from ctcflow.delivery import keys
    from db.engine import session_scope
    from db.models import Acknowledgement, Notification

    with session_scope() as session:
        first = session.execute(select(Notification).where(col(Notification.recipient) == "samordnare2",
                                                           col(Notification.kind) == "brief")
                                .order_by(col(Notification.as_of))).scalars().first()
        assert first is not None and first.as_of == SHORT.reorganisation
        assert first.subject.startswith("CTC överlämning")
        for i in range(RUNNING, RUNNING + PLANNED):  # every open stall in the samordnare's remit, whole
            assert f"Område {i + 1} har inte kommit igång" in first.body
        [ack] = session.execute(select(Acknowledgement)).scalars()
        topic = keys.topic_stall("not_started", area_id(ACKED))
        assert ack.topic == topic and ack.by == "chef"
        director = session.execute(select(Notification).where(col(Notification.topic) == topic,
                                                              col(Notification.recipient) == "direktor")
                                   .order_by(col(Notification.as_of))).scalars().first()
        assert director is not None and director.as_of > ack.until  # paused while it held
        assert "Det har gått ut" in director.body  # and said so when the climb resumed


def test_the_next_report_to_the_board_states_the_stalls_the_vacancy_and_what_reached_the_board(
        replayed: Replayed, tmp_path: Path) -> None:
    from ctcflow.cli.main import main

    assert main(["report", "ks", "--period", "2020", "--as-of", SHORT.until.isoformat(), "--format", "md",
                 "--out", str(tmp_path)]) == 0
    [report] = list(tmp_path.glob("*.md"))
    text = report.read_text(encoding="utf-8")
    summary = text.split("## Sammanfattning", 1)[1].split("## Förslag till beslut", 1)[0]
    assert f"CTC bedrivs i {RUNNING} av {RUNNING + PLANNED} planerade områden." in summary
    assert f"Områden som inte kommit igång ({PLANNED}): Område {RUNNING + 1}, " in summary  # counted, worst named
    assert "Obesatta roller (1): Utvecklingsledare i Område 4." in summary
    assert "Ärenden som nått kommunstyrelsen sedan" in summary
    matter = text.split("## Ärendet", 1)[1].split("## Ansvariga", 1)[0]
    # the stalls of a kind in one sentence naming them all — the one someone took on in its own
    assert f"Dessa {PLANNED - 1} områden skulle ha startat men har inte kommit igång: " in matter
    for i in range(RUNNING, RUNNING + PLANNED):
        assert f"Område {i + 1}" in matter
    assert f"Område {ACKED + 1} skulle ha startat {SHORT.planned_start} men har inte kommit igång" in matter
    assert "Rollen Utvecklingsledare i Område 4 har varit obesatt sedan" in matter
    # the escalation log: what reached the board, each line's words and dates from one and the
    # same episode — nothing "since" after the day it was first escalated, no rung's prefix pasted in
    log = text.split(": Eskaleringar och hur de står", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in log.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert any("rapport till kommunstyrelsen 2020" in row[0] and row[4] != "–" for row in rows)
    assert not any("Till kommunstyrelsen:" in row[0] or "Eskalering:" in row[0] for row in rows)
    from ctcflow.core.templating import long_date

    for row in (r for r in rows if "(sedan " in r[0]):
        first = date.fromisoformat(row[2])
        said = row[0].split("(sedan ", 1)[1].split(")", 1)[0]
        assert any(long_date(first - timedelta(days=d), "sv") == said for d in range(800)), row
    proposals = text.split("## Förslag till beslut", 1)[1].split("## Ärendet", 1)[0]
    assert f"hur och när arbetet ska komma igång i de {PLANNED} områden som inte har startat" in proposals
    assert "att se till att rollen Utvecklingsledare i Område 4 tillsätts" in proposals
    assert area_id(0) not in text  # names, never ids

"""The analysis function uploads a survey wave on the web: a file with a bad row is refused with
that row and column on the page and nothing imported; the corrected file is imported, and a
second upload under the same wave's name must say it replaces the first. Real Chromium; the
upload shows its progress; axe-core on each state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.core.links import Links
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from db.engine import session_scope
from db.models import Event, SurveyResult, SurveyWave
from demo.mailserver import LocalMailServer
from demo.synthetic import Plan, synthetic_wave, write_export
from tests.browser import assert_accessible, chromium, element, follow_link, shot
from tests.conftest import Project, pages_port
from tests.webserver import web_server

HERMODSDAL = "hermodsdal_nydala_gullviksborg"


@pytest.fixture
def url(project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = pages_port(monkeypatch)
    with web_server(port, as_of=date(2019, 3, 20)) as address:
        yield address


def _exports(folder: Path) -> tuple[Path, Path, str]:
    """A good export, and the same with one answer on row 7 that is no answer code."""
    frame = synthetic_wave(load_survey(), load_definitions().org, Plan(pupils=600, seed=3))
    good, bad = folder / "enkat-2019.csv", folder / "enkat-2019-fel.csv"
    write_export(frame, str(good))
    item = next(c for c in frame.columns if c.startswith("konflikter_i_familjen"))
    frame[item] = frame[item].astype("object")
    frame.loc[5, item] = "ofta"  # the file's row 7: the header is row 1
    write_export(frame, str(bad))
    return good, bad, item


def _upload(browser: object, wave: str, path: Path) -> None:
    find = browser.find_element  # type: ignore[attr-defined]
    find(By.ID, "wave").clear()
    find(By.ID, "wave").send_keys(wave)
    find(By.ID, "document").send_keys(str(path))
    assert find(By.ID, "upload-bar").tag_name == "progress"  # shown while the file goes up and is checked
    find(By.CSS_SELECTOR, "#survey-upload button[type=submit]").click()


def _imported() -> tuple[int, int]:
    with session_scope() as session:
        return (session.execute(select(func.count()).select_from(SurveyWave)).scalar_one(),
                session.execute(select(func.count()).select_from(SurveyResult)).scalar_one())


def test_a_bad_row_is_shown_on_the_page_and_nothing_is_imported_then_the_fixed_file_is(url: str,
                                                                                         tmp_path: Path) -> None:
    good, bad, item = _exports(tmp_path)
    frame = pd.read_csv(good, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    hermodsdal = frame.index[frame["delomrade"].isin(_delomraden(HERMODSDAL))]
    half = tmp_path / "enkat-2019-halv.csv"
    frame.drop(hermodsdal[: len(hermodsdal) // 2]).to_csv(half, sep=";", index=False)
    two_sheets = tmp_path / "enkat-2020.xlsx"
    with pd.ExcelWriter(two_sheets, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Svar", index=False)
        frame.to_excel(writer, sheet_name="Gamla svar", index=False)
    with chromium() as browser:
        follow_link(browser, Links().login("analys"))
        element(browser, "header a[href$='/enkater']").click()
        assert_accessible(browser, "the survey page")
        _upload(browser, "2019", bad)
        problems = element(browser, "#problem-list")
        assert problems.text.startswith("Filen enkat-2019-fel.csv har 1 fel – inget har importerats")
        row = problems.find_element(By.CSS_SELECTOR, "tbody tr").find_elements(By.TAG_NAME, "td")
        assert [row[0].text, row[1].text] == ["7", item]
        assert row[2].text == "'ofta' är inget svar på den här frågans skala."  # in the reader's words
        assert row[3].text.startswith("Använd 1, 2")
        assert_accessible(browser, "a refused survey file")
        shot(browser, "survey-bad-row")
        assert _imported() == (0, 0)

        _upload(browser, "2019", good)
        notice = element(browser, "p.notice")
        assert browser.current_url.endswith("/enkater?importerad=2019")
        waves, results = _imported()
        assert waves == 1 and results > 0
        # the count it says is one anyone can read off the published figures: the city's largest
        with session_scope() as session:
            largest = session.execute(select(func.max(SurveyResult.n)).where(
                col(SurveyResult.area_id) == "", col(SurveyResult.grade_group) == "*", col(SurveyResult.gender) == "*")).scalar_one()
        assert notice.text.startswith(f"Enkäten 2019 är importerad: siffrorna bygger på {largest} elever.")
        assert 570 < largest <= 600
        with session_scope() as session:  # who uploaded it, in the event log
            assert session.execute(select(col(Event.actor)).where(col(Event.kind) == "survey_imported")).scalars().all() == \
                ["analys"]

        _upload(browser, "2019", good)  # the same name again: it must say it replaces
        assert element(browser, "#err-wave").text.startswith("Den omgången är redan importerad")
        assert browser.find_element(By.ID, "replace").is_displayed()
        assert_accessible(browser, "a wave that is already imported")
        # ticked, with an export missing half of one area: said where, in Swedish, nothing imported
        browser.find_element(By.ID, "replace").click()
        _upload(browser, "2019", half)
        refusal = element(browser, "#err-document").text
        assert refusal.startswith("Filen skulle ersätta enkäten med mindre: Hermodsdal/Nydala/Gullviksborg:")
        assert "Inget importerades" in refusal and "would" not in refusal
        assert_accessible(browser, "a file that would replace the survey with less")
        assert _imported() == (waves, results)
        browser.find_element(By.ID, "accept-loss").click()  # the second answer: even with less
        _upload(browser, "2019", half)
        assert element(browser, "p.notice").text.startswith("Enkäten 2019 är importerad")
        waves, results = _imported()
        # a workbook with data on two sheets: the page asks which, the chosen sheet is read
        _upload(browser, "2020", two_sheets)
        assert element(browser, "#err-document").text.startswith("Arbetsboken har uppgifter på flera blad")
        options = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#sheet option")]
        assert options == ["Svar (600 rader)", "Gamla svar (600 rader)"]
        assert_accessible(browser, "a workbook with two sheets")
        assert _imported() == (waves, results)
        browser.find_element(By.ID, "document").send_keys(str(two_sheets))
        browser.find_element(By.ID, "wave").clear()
        browser.find_element(By.ID, "wave").send_keys("2020")
        browser.find_element(By.CSS_SELECTOR, "#sheet option:nth-child(2)").click()
        browser.find_element(By.CSS_SELECTOR, "#survey-upload button[type=submit]").click()
        assert element(browser, "p.notice").text.startswith("Enkäten 2020 är importerad: siffrorna bygger på 5")


def test_only_the_analysis_function_and_the_coordinator_may_upload(url: str) -> None:
    with chromium() as browser:
        follow_link(browser, Links().login("ul_bellevue"))
        assert not browser.find_elements(By.CSS_SELECTOR, "header a[href$='/enkater']")
        browser.get(f"{url}/enkater")
        assert element(browser, "h1").text == "Inte din uppgift" and _imported() == (0, 0)


def _delomraden(area_id: str) -> list[str]:
    area = load_definitions().org.area(area_id)
    assert area is not None, area_id
    return list(area.delomraden)

"""The open escalations on the pages, as a chief holds them on a phone: first on the overview
(before the areas' matrix), each with how high it has climbed and who has it, and "Vi tar det"
one click away — a refusal shown in view next to its form, the acknowledgement then on the list.
A real uvicorn server, Debian's Chromium, axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select

from ctcflow.core.links import Links
from db.engine import session_scope
from db.models import Acknowledgement
from demo.mailserver import LocalMailServer
from tests.browser import assert_accessible, chromium, element, follow_link, in_view, submit
from tests.conftest import Project, mornings, pages_port
from tests.webserver import web_server

DAY = date(2018, 10, 1)  # Bellevuegården has not started since 18 September; the director was told on the 26th
STALL = "Bellevuegården/Lorensborg har inte kommit igång"


@pytest.fixture
def city(project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = pages_port(monkeypatch)
    mornings(date(2018, 9, 17), DAY)
    with web_server(port, as_of=DAY) as url:
        yield url


def test_a_chief_takes_a_stalled_area_on_from_the_overview_on_a_phone(city: str) -> None:
    with chromium(390, 844) as browser:
        follow_link(browser, Links().login("avdelningschef"))
        assert browser.current_url.endswith("/oversikt")
        page = browser.page_source
        # first on the page: what needs attention, before the areas' matrix
        assert page.index("Det här behöver uppmärksamhet först") < page.index('id="matrix"')
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#eskalerat tbody tr") if STALL in r.text)
        assert "Ingen har tagit på sig det" in row.text and "Ansvarig direktör" in row.text  # how high it climbed
        assert_accessible(browser, "the overview's open escalations")
        row_id = row.get_attribute("id")

        row.find_element(By.TAG_NAME, "summary").click()  # "Vi tar det"
        submit(browser, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))  # nothing typed
        error = element(browser, f"#{row_id} .field-error")
        assert error.text == "Skriv vad som ska hända." and in_view(browser, f"#{row_id} .field-error")
        assert_accessible(browser, "the refused acknowledgement")

        row = element(browser, f"#{row_id}")
        row.find_element(By.NAME, "plan").send_keys("En utvecklingsledare anställs; styrgruppen träffas 10 oktober")
        until = row.find_element(By.NAME, "until")
        browser.execute_script("arguments[0].value = '2018-10-12'", until)
        submit(browser, row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        notice = element(browser, "p.notice")
        assert notice.get_attribute("role") == "status"
        assert notice.text.startswith(f"Kvitterat: {STALL}") and "vilar till 2018-10-12" in notice.text
        row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "#eskalerat tbody tr") if STALL in r.text)
        assert "Avdelningschef, stadskontoret, åtgärd till 2018-10-12: En utvecklingsledare anställs" in row.text
    with session_scope() as session:
        [ack] = session.execute(select(Acknowledgement)).scalars()
    assert (ack.by, ack.until, ack.on_date) == ("avdelningschef", date(2018, 10, 12), DAY)


def test_the_area_page_shows_its_escalations_and_the_team_cannot_take_them_on(city: str) -> None:
    with chromium() as browser:
        follow_link(browser, Links().login("ul_bellevue"))
        browser.get(f"{city}/omrade/bellevuegarden_lorensborg")
        rows = browser.find_elements(By.CSS_SELECTOR, "#eskalerat tbody tr")
        assert any(STALL in r.text for r in rows)
        assert browser.find_elements(By.CSS_SELECTOR, "#eskalerat summary")  # the lead is on the ladder
        follow_link(browser, Links().login("team_bellevue"))
        browser.get(f"{city}/omrade/bellevuegarden_lorensborg")
        assert any(STALL in r.text for r in browser.find_elements(By.CSS_SELECTOR, "#eskalerat tbody tr"))
        assert not browser.find_elements(By.CSS_SELECTOR, "#eskalerat summary")  # the team is not

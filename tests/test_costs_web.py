"""The samordnare's costs on the web: one cost by hand (a wrong amount refused next to the field,
what was typed kept), a sheet with an unknown administration refused by row with nothing
imported, the corrected sheet imported and the year's total shown as the report will count it."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.core.links import Links
from db.engine import session_scope
from db.models import CostEntry, Event
from tests.browser import assert_accessible, chromium, element, follow_link, in_view, opened_at_refusal, submit
from tests.test_survey_web import url  # noqa: F401 — the fixture: a city set up, its pages served


def _costs() -> list[tuple[int, str | None, str, int]]:
    with session_scope() as session:
        rows = session.execute(select(col(CostEntry.year), col(CostEntry.area_id), col(CostEntry.administration),
                                      col(CostEntry.amount_ore)).order_by(col(CostEntry.id))).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_a_cost_by_hand_and_a_sheet_all_or_nothing(url: str, tmp_path: Path) -> None:  # noqa: F811
    with chromium() as browser:
        follow_link(browser, Links().login("samordnare"))
        element(browser, "header a[href$='/kostnader']").click()
        assert_accessible(browser, "the costs page")
        browser.find_element(By.ID, "year").clear()
        browser.find_element(By.ID, "year").send_keys("2018")
        Select(browser.find_element(By.ID, "administration")).select_by_value("fritidsforvaltningen")
        Select(browser.find_element(By.ID, "cost-area")).select_by_value("bellevuegarden_lorensborg")
        browser.find_element(By.ID, "amount").send_keys("en miljon")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#ny-kostnad button[type=submit]"))
        assert element(browser, "#err-amount").text.startswith("Ange ett belopp i kronor")
        # the page opens at the refusal: its summary in view and focused, whatever the form's place
        assert opened_at_refusal(browser)
        assert "Ange ett belopp i kronor" in element(browser, "#fel").text
        assert browser.find_element(By.ID, "amount").get_attribute("aria-invalid") == "true"
        # the summary's line is a link to the field: following it puts the cursor there
        element(browser, "#fel li a[href='#amount']").click()
        assert browser.switch_to.active_element.get_attribute("id") == "amount"
        assert Select(browser.find_element(By.ID, "cost-area")).first_selected_option.get_attribute("value") == \
            "bellevuegarden_lorensborg"
        assert_accessible(browser, "a refused cost")
        assert _costs() == []
        browser.find_element(By.ID, "amount").clear()
        browser.find_element(By.ID, "amount").send_keys("1 250 000,50")
        browser.find_element(By.ID, "category").clear()
        browser.find_element(By.ID, "category").send_keys("Lön")
        browser.find_element(By.ID, "cost-note").clear()
        browser.find_element(By.ID, "cost-note").send_keys("Utvecklingsledare på halvtid")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#ny-kostnad button[type=submit]"))
        assert element(browser, "p.notice").text == "Det är sparat."
        entry = element(browser, "#poster ~ div table tbody tr").text  # what was typed is shown, not only summed
        assert "Lön" in entry and "Utvecklingsledare på halvtid" in entry and "1 250 000,50" in entry, entry
        assert _costs() == [(2018, "bellevuegarden_lorensborg", "fritidsforvaltningen", 125000050)]

        bad, good = tmp_path / "kostnader-2018.csv", tmp_path / "kostnader-2018-rattad.csv"
        bad.write_text("år;område;förvaltning;belopp\n2018;;Stadskontoret;400 000\n2018;Bellevuegården/Lorensborg;"
                       "Fritidsförvaltningn;100 000\n", encoding="utf-8")
        good.write_text(bad.read_text(encoding="utf-8").replace("Fritidsförvaltningn", "Fritidsförvaltningen"),
                        encoding="utf-8")
        browser.find_element(By.ID, "cost-file").send_keys(str(bad))
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#kostnadsfil button[type=submit]"))
        problems = element(browser, "#problem-list")
        cells = [c.text for c in problems.find_elements(By.CSS_SELECTOR, "tbody td")]
        assert cells == ["3", "förvaltning", "Okänd förvaltning 'Fritidsförvaltningn'.", "Menar du Fritidsförvaltningen?"]
        assert len(_costs()) == 1  # nothing of the sheet
        browser.find_element(By.ID, "cost-file").send_keys(str(good))
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#kostnadsfil button[type=submit]"))
        # the sheet gives 2018 Bellevuegården's Fritidsförvaltningen, entered by hand above: told
        # what would be replaced, from what to what, and nothing written until asked
        refusal = element(browser, "#ersatts")
        assert "inget importerades" in refusal.text and in_view(browser, "#ersatts")
        assert "Inget importerades" in element(browser, "#err-cost-file").text
        replacing = element(browser, "#ersatts").text.replace("\u00a0", " ")
        assert "2018, Bellevuegården/Lorensborg, Fritidsförvaltningen: 1 250 000,50 kr nu, 100 000 kr i filen" \
            in replacing
        assert_accessible(browser, "costs that a sheet would replace")
        assert len(_costs()) == 1
        browser.find_element(By.ID, "cost-file").send_keys(str(good))
        browser.find_element(By.ID, "cost-replace").click()
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#kostnadsfil button[type=submit]"))
        assert element(browser, "p.notice").text == ("2 kostnadsrader är inlästa. De ersätter 1 rad som registrerats "
                                                     "tidigare för samma år, områden och förvaltningar.")
        total = element(browser, "#kostnader tfoot").text
        assert total.replace("\u00a0", " ") == "Summa 2018 500 000 kr"
        # on a phone the same: a refused cost far down the page opens at its summary, focused
        browser.set_window_size(390, 844)
        browser.find_element(By.ID, "amount").clear()
        browser.find_element(By.ID, "amount").send_keys("tusen kronor")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#ny-kostnad button[type=submit]"))
        assert opened_at_refusal(browser)
        assert "Ange ett belopp i kronor" in element(browser, "#fel").text
        assert browser.find_element(By.ID, "amount").get_attribute("value") == "tusen kronor"  # what was typed
        assert_accessible(browser, "a refused cost on a phone")
    with session_scope() as session:
        recorded = session.execute(select(func.count()).select_from(Event).where(
            col(Event.kind).in_(["cost_added", "costs_imported"]), col(Event.actor) == "samordnare")).scalar_one()
    assert len(_costs()) == 2 and recorded == 2


def test_an_area_person_may_not_record_costs(url: str) -> None:  # noqa: F811
    with chromium() as browser:
        follow_link(browser, Links().login("ul_bellevue"))
        assert not browser.find_elements(By.CSS_SELECTOR, "header a[href$='/kostnader']")
        browser.get(f"{url}/kostnader")
        assert element(browser, "h1").text == "Inte din uppgift"

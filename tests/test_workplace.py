"""The web as the workplace, on Malmö's areas replayed 2018–2024: what an area has to do first,
an older round's overdue input marked done (the cycle-1/cycle-2 bug), refusals next to the
field with what was typed kept, and axe-core's WCAG 2.1 AA checks on every page, in both
languages, on a desktop and a 390 px phone. Screenshots: .ctc/test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select
from sqlmodel import col

from ctcflow.core.links import Links
from ctcflow.definition.loader import load_definitions
from ctcflow.engine.marking import mark_done
from ctcflow.report.delivered import BEFORE_PERIOD_END
from db.engine import session_scope
from db.models import Event, MilestoneInstance, PhaseInstance, ReportArchive
from demo.mailserver import LocalMailServer, free_port
from tests.browser import (
    assert_accessible,
    axe_violations,
    broken_words,
    chromium,
    element,
    fits,
    follow_link,
    opened_at_refusal,
    shot,
    submit,
)
from tests.conftest import environment, snapshot_of, wait_for
from tests.webserver import web_server

DAY = date(2025, 1, 8)
HERMODSDAL, BELLEVUE = "hermodsdal_nydala_gullviksborg", "bellevuegarden_lorensborg"
KIRSEBERG = "kirsebergsstaden_rostorp_segevang_segemolla"
INPUT = "underlag_ks_rapport"
PAPER = 120  # seconds a send may take: the paper and its PDF are rendered, archived and sent
INPUT_TITLE = "Områdets underlag till rapporten till kommunstyrelsen"


@dataclass
class City:
    url: str
    mail: LocalMailServer

    def sign_in(self, browser: webdriver.Chrome, person: str) -> None:
        follow_link(browser, Links().login(person))


@pytest.fixture(scope="module")
def city(replay_2024: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    workdir = snapshot_of(replay_2024, tmp_path_factory.mktemp("workplace") / "demo")
    port = free_port()
    settings = {"CTC_DATA_DIR": str(workdir), "CTC_DATABASE_URL": None, "CTC_WEB_BASE_URL": f"http://127.0.0.1:{port}",
                "CTC_WEB_SECRET_KEY": "test-key-not-a-secret-0123456789abcdef"}
    with environment(settings):
        org = load_definitions().org
        channels: dict[str, str | None] = {p.notify.split(":", 1)[1]: None for p in org.everyone()}
        with environment(channels), LocalMailServer() as mail:
            mail.route(org, "test.example")
            with web_server(port, as_of=DAY) as url:
                yield City(url, mail)


def _inputs(area_id: str) -> list[tuple[int, int, str]]:
    """(instance, cycle, status) of the area's input to the report, oldest round first."""
    with session_scope() as session:
        rows = session.execute(
            select(col(MilestoneInstance.id), col(PhaseInstance.cycle), col(MilestoneInstance.status))
            .join(PhaseInstance, col(PhaseInstance.id) == col(MilestoneInstance.phase_instance_id))
            .where(col(MilestoneInstance.area_id) == area_id, col(MilestoneInstance.milestone_id) == INPUT)
            .order_by(col(PhaseInstance.cycle))).tuples().all()
    return [(int(i), int(c), str(s)) for i, c, s in rows]


def test_an_older_rounds_overdue_input_comes_first_and_can_be_marked_done(city: City) -> None:
    (first, first_cycle, first_state), *later = _inputs(HERMODSDAL)
    assert (first_cycle, first_state) == (1, "open") and later[-1][2] == "open"  # two rounds open at once
    with chromium() as browser:
        city.sign_in(browser, "ul_hermodsdal")
        todo = element(browser, "ol.todo li")
        assert todo.text.startswith(f"{INPUT_TITLE} (omgång 1) – Försenad – skulle vara klar 2022-03-31")
        todo.find_element(By.TAG_NAME, "a").click()
        card = element(browser, f"#m-{first}")
        assert "Första omgången" in browser.page_source and "Tredje omgången" in browser.page_source
        card.find_element(By.TAG_NAME, "summary").click()
        card.find_element(By.NAME, "note").send_keys("Underlaget för 2022 lämnas i efterhand")
        submit(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        # refused next to the field, in Swedish, what was typed kept, nothing changed
        error = element(browser, f"#m-{first} .field-error")
        assert error.text.startswith("Lägg till ett underlag")
        assert browser.find_element(By.ID, f"note-{first}").get_attribute("value") == \
            "Underlaget för 2022 lämnas i efterhand"
        field = browser.find_element(By.ID, f"link-{first}")
        assert field.get_attribute("aria-invalid") == "true"  # announced, and tied to its field
        assert error.get_attribute("role") == "alert" and field.get_attribute("aria-describedby") == error.get_attribute("id")
        assert "--evidence" not in browser.page_source
        assert_accessible(browser, "a refused form")
        shot(browser, "area-refused-evidence")
        assert _inputs(HERMODSDAL)[0][2] == "open"
        browser.find_element(By.ID, f"link-{first}").send_keys("https://malmo.se/ctc/hermodsdal-2022.pdf")
        submit(browser, browser.find_element(By.CSS_SELECTOR, f"#m-{first} button[type=submit]"))
        assert element(browser, "p.notice").text == "Milstolpen är markerad som klar."
        history = element(browser, "ol.history li").text
    statuses = _inputs(HERMODSDAL)
    assert statuses[0][2] == "done" and statuses[-1][2] == "open"  # this round's, not the newer one's
    assert history.startswith(f"{DAY.isoformat()} Utvecklingsledare Hermodsdal markerade {INPUT_TITLE} som klar")
    assert "evidence:" not in history and "hermodsdal-2022.pdf" in history


def test_by_name_the_command_line_marks_the_oldest_round_still_open(city: City) -> None:
    (first, _, state), *later = _inputs(KIRSEBERG)
    assert state == "open" and later[-1][2] == "open"
    with session_scope() as session:
        done = mark_done(session, load_definitions(), KIRSEBERG, INPUT, by="ul_kirseberg", as_of=DAY,
                         evidence="https://malmo.se/ctc/kirseberg-2022.pdf")
        assert done.id == first
        events = session.execute(select(Event).where(col(Event.area_id) == KIRSEBERG, col(Event.subject) == INPUT)
                                 .order_by(col(Event.id).desc())).scalars().first()
        assert events is not None and events.kind == "milestone_done"


PAGES = {  # who, where, what
    "samordnare": ["/oversikt", "/rapporter", f"/omrade/{BELLEVUE}", f"/omrade/{KIRSEBERG}", "/personer", "/kostnader",
                   "/enkater"],
    "ul_bellevue": [f"/omrade/{BELLEVUE}", f"/omrade/{BELLEVUE}/redovisning", f"/omrade/{BELLEVUE}/plan"],
    "styrgrupp_bellevue": [f"/omrade/{BELLEVUE}"],
    "analys": ["/enkater"],
}
DOCUMENTS = [f"/omrade/{BELLEVUE}/profil", f"/omrade/{BELLEVUE}/plan/dokument"]  # pages of their own, to print


@pytest.mark.parametrize("width", [1200, 390])
def test_every_page_passes_axe_in_both_languages_and_fits_the_window(city: City, width: int) -> None:
    with chromium(width, 900) as browser:
        for person, paths in PAGES.items():
            city.sign_in(browser, person)
            for path in paths:
                for lang in ("sv", "en"):
                    browser.get(f"{city.url}{path}?lang={lang}")
                    element(browser, "main h1")
                    assert_accessible(browser, f"{path} for {person} in {lang} at {width} px")
                    assert fits(browser), f"{path} runs off a {width} px window"
                    assert broken_words(browser, "main h1") == [], f"{path}'s heading breaks mid-word at {width} px"
                    shot(browser, f"{person}{path.replace('/', '-')}-{lang}-{width}")
        for path in DOCUMENTS:  # the områdesprofil and the handlingsplan, opened from the plan page
            for lang in ("sv", "en"):
                browser.get(f"{city.url}{path}?lang={lang}")
                element(browser, "h1")
                assert_accessible(browser, f"{path} in {lang} at {width} px")
        undo = browser.find_elements(By.CSS_SELECTOR, "a.undo")
        if undo:
            undo[0].click()
            element(browser, "form.stack")
            assert_accessible(browser, "the undo confirmation")
        browser.get(f"{city.url}/login")
        assert_accessible(browser, "the sign-in page")


def test_the_accessibility_check_finds_what_it_should() -> None:
    """The check itself: an unlabelled field and grey-on-white text are caught."""
    bad = ("data:text/html;charset=utf-8,<html lang=sv><title>x</title><main><h1>x</h1>"
           "<input type=text><p style='color:%23bbb'>svag text</p></main></html>")
    with chromium() as browser:
        browser.get(bad)
        found = axe_violations(browser)
    assert any(v.startswith("label:") for v in found) and any(v.startswith("color-contrast:") for v in found)


def test_an_area_reports_on_a_mandated_theme_and_a_refusal_keeps_what_was_typed(city: City) -> None:
    with chromium(390, 844) as phone:
        city.sign_in(phone, "ul_bellevue")
        phone.find_element(By.LINK_TEXT, "Redovisa till kommunstyrelsen").click()
        section = element(phone, "#tema-boendemedverkan")
        assert "ska vara klar 2026-04-30 och gäller 2024–2025" in phone.page_source
        section.find_element(By.TAG_NAME, "summary").click()
        when = section.find_element(By.NAME, "happened_on")
        phone.execute_script("arguments[0].value = '2024-11-20'", when)  # as the date picker sets it
        typed_date = "2024-11-20"
        submit(phone, section.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        error = element(phone, "#tema-boendemedverkan .field-error")
        assert error.text == "Skriv vad som gjordes."
        assert phone.find_element(By.ID, "h-boendemedverkan").get_attribute("value") == typed_date
        assert phone.find_element(By.ID, "d-boendemedverkan").get_attribute("aria-invalid") == "true"
        assert_accessible(phone, "a refused theme entry")
        shot(phone, "redovisning-refused-390")
        phone.find_element(By.ID, "d-boendemedverkan").send_keys("Trygghetsvandring med 14 boende i Lorensborg")
        submit(phone, phone.find_element(By.CSS_SELECTOR, "#tema-boendemedverkan button[type=submit]"))
        assert element(phone, "p.notice").text == "Det är sparat."
        listed = element(phone, "#tema-boendemedverkan li").text  # the newest first
        assert listed.startswith("2024-11-20") and "Trygghetsvandring med 14 boende i Lorensborg" in listed and "Utvecklingsledare Bellevuegården" in listed
        assert fits(phone)
        shot(phone, "redovisning-saved-390")
        phone.get(f"{city.url}/omrade/{BELLEVUE}")
        history = element(phone, "ol.history li").text
    assert "redovisade Boendemedverkan: Trygghetsvandring med 14 boende i Lorensborg" in history


def _archived_files() -> int:
    with session_scope() as session:
        return len(session.execute(select(col(ReportArchive.id))).all())


def test_the_samordnare_previews_the_board_report_and_sends_it(city: City) -> None:
    """2024–2025 is not over on 2025-01-08: the report is refused until the samordnare says to
    send it anyway (recorded); the preview is kept nowhere; "Skickad" only once accepted."""
    archived_before = _archived_files()
    with chromium() as browser:
        city.sign_in(browser, "samordnare")
        browser.find_element(By.LINK_TEXT, "Rapport till kommunstyrelsen").click()
        element(browser, "main ul a")
        browser.find_element(By.LINK_TEXT, "2026").click()
        frame = element(browser, "iframe.preview")
        assert "2024–2025" in browser.page_source
        gaps = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "main > ul li")]
        # the costs of 2024 are not in yet; 2025 is not over, so it owes nothing yet
        assert any("Kostnader 2024" in g for g in gaps) and not any("2025" in g for g in gaps), gaps
        assert "Inte skickad" in element(browser, "main > p strong").text
        assert_accessible(browser, "the board report's preview")
        shot(browser, "ks-report-preview")
        browser.switch_to.frame(frame)
        assert "kommunstyrelsen" in element(browser, "h1").text.lower()
        browser.switch_to.default_content()
        assert _archived_files() == archived_before  # a preview is not archived
        assert "Kommunstyrelsens kansli" in browser.find_element(By.CSS_SELECTOR, "form.stack p").text
        assert "Perioden som rapporten gäller slutar 2025-12-31" in browser.find_element(By.CSS_SELECTOR,
                                                                                           "form.stack").text
        submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"))
        assert opened_at_refusal(browser)
        assert "Perioden är inte slut än" in element(browser, "#fel").text
        assert element(browser, "#early").get_attribute("aria-invalid") == "true"
        assert _archived_files() == archived_before and not city.mail.to("ks_kansli@test.example")
        element(browser, "#early").click()
        submit(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]"), seconds=PAPER)
        assert element(browser, "#lage p.notice").text.startswith("Rapporten är arkiverad och lämnad till utskick.")
        copies = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#lage ul.delivery li")]
        assert any(c.startswith("Kommunstyrelsens kansli: mottagen av e-postservern 20") for c in copies), copies
        assert element(browser, "main > p strong").text.startswith("Skickad ")
        assert "Skicka en ny version" in browser.page_source
        assert_accessible(browser, "the board report, sent")
    with session_scope() as session:
        early = session.execute(select(col(Event.new)).where(col(Event.kind) == "report_sent")).scalars().all()
    assert any(e.startswith("2024–2025") and e.endswith(BEFORE_PERIOD_END) for e in early), early
    message = wait_for(lambda: city.mail.to("ks_kansli@test.example"), 60, "the report reaching the board")[-1]
    assert message.subject.startswith("Communities That Care i Malmö – rapport till kommunstyrelsen – 2024–2025")
    assert any(name.endswith(".pdf") and content.startswith(b"%PDF") for name, content in message.attachments)


def test_a_report_sent_on_a_holiday_waits_and_a_refused_copy_is_said_and_retried(city: City) -> None:
    """Trettondedag jul: the report is queued for the next working day, and the page says so —
    not "skickad". The board's server then refuses it (550): said with the server's words and
    what to do; once the address works, "Försök igen nu" tries it, and only then "Skickad"."""
    from ctcflow.app.jobs import deliver

    def board_copies() -> list[str]:
        return [m.subject for m in city.mail.to("ks_kansli@test.example") if "2022–2023" in m.subject]

    with web_server(free_port(), as_of=date(2025, 1, 6)) as holiday, chromium() as browser:
        city.sign_in(browser, "samordnare")  # the session's cookie holds on either port
        browser.get(f"{holiday}/rapport/ks/2024")
        submit(browser, element(browser, "form.stack button[type=submit]"), seconds=PAPER)
        state = element(browser, "main > p strong").text
        assert state == "I kö – skickas nästa arbetsdag, tisdag 7 januari 2025", state
        copies = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#lage ul.delivery li")]
        assert "Kommunstyrelsens kansli: i kö – skickas nästa arbetsdag, tisdag 7 januari 2025" in copies, copies
        assert not board_copies()
        browser.get(f"{holiday}/rapporter")
        assert "I kö – skickas nästa arbetsdag" in element(browser, "#reports").text
        browser.get(f"{holiday}/rapport/ks/2024")  # left open while the next working day's delivery runs
        element(browser, "#lage[data-live='waiting']")
        city.mail.refuse = lambda address: "550 5.1.1 No such user here" if address.startswith("ks_kansli") else None
        try:
            deliver(date(2025, 1, 7))
            # the page left open follows the sending by itself: the refusal appears without a reload
            WebDriverWait(browser, 60).until(
                lambda b: b.find_element(By.ID, "lage-ord").text.startswith("Inte levererad"))
            browser.get(f"{holiday}/rapporter")
            assert "Inte levererad" in element(browser, "#reports").text
            browser.get(f"{city.url}/rapport/ks/2024")
            assert element(browser, "main > p strong").text == "Inte levererad: e-postservern tog inte emot den"
            copies = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#lage ul.delivery li")]
            refused = next(c for c in copies if c.startswith("Kommunstyrelsens kansli"))
            assert "550 5.1.1 No such user here" in refused and "Kontrollera personens e-postadress" in refused
            assert sum("mottagen av e-postservern" in c for c in copies) == len(copies) - 1, copies  # the others
            assert_accessible(browser, "a report the board's server refused")
        finally:
            city.mail.refuse = None
        submit(browser, element(browser, "#lage form button[type=submit]"), seconds=PAPER)
        assert element(browser, "#lage p.notice").text == "1 utskick försöktes igen nu: 1 skickade, 0 misslyckades igen."
        assert element(browser, "main > p strong").text.startswith("Skickad ")
    assert len(board_copies()) == 1


def test_the_whole_history_is_there_a_page_at_a_time(city: City) -> None:
    """Six years of an area: the newest 60 events, then older ones page by page to the first."""
    with chromium() as browser:
        city.sign_in(browser, "samordnare")
        browser.get(f"{city.url}/omrade/{HERMODSDAL}")
        first_page = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.history li")]
        assert len(first_page) == 60
        seen, pages = list(first_page), 1
        while links := browser.find_elements(By.LINK_TEXT, "Äldre händelser"):
            links[0].click()
            pages += 1
            element(browser, "ol.history li")
            seen += [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.history li")]
        assert pages > 1
        days = [line.split(" ", 1)[0] for line in seen]
        assert days == sorted(days, reverse=True)  # newest first, all the way back
    with session_scope() as session:
        logged = session.execute(select(col(Event.id)).where(col(Event.area_id) == HERMODSDAL, col(Event.effective_on) <= DAY)).all()
    assert len(seen) == len(logged)

"""People and roles on the web: the samordnare records that the utvecklingsledare has left, sees
the role vacant, hands it to a new person (with her own address, nothing else to configure), and — without any
restart — the next morning's run sends her the reminder, she signs in with her address, and the
history says who changed what. Refusals next to the field; axe-core on each state."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.jobs import sweep
from ctcflow.app.progress import record_done
from ctcflow.core.links import Links
from db.engine import session_scope
from db.models import Event, StaffChange
from demo.mailserver import LocalMailServer
from tests.browser import assert_accessible, chromium, element, follow_link, shot, submit
from tests.conftest import Project, pages_port, wait_for
from tests.webserver import web_server

AREA = "bellevuegarden_lorensborg"
DAY = date(2018, 10, 1)  # Bellevuegården's team is reminded of its core group, due 2018-10-15
ANNA = "anna.lind@malmo.test"


@dataclass
class Site:
    url: str
    mail: LocalMailServer


@pytest.fixture
def site(project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    monkeypatch.setenv("CTC_MAIL_SERVER", f"mailto://127.0.0.1:{mail.port}?from=ctcflow@test.example&smtp=127.0.0.1")
    port = pages_port(monkeypatch)
    record_done(AREA, "utvecklingsledare_pa_plats", by="samordnare", as_of=date(2018, 9, 20),
                evidence="anställningsbeslut", note=None)
    with web_server(port, as_of=DAY) as url:
        yield Site(url, mail)


def test_a_vacant_role_handed_to_a_new_member_who_gets_the_next_reminder_without_a_restart(site: Site) -> None:
    with chromium() as browser:
        follow_link(browser, Links().login("samordnare"))
        element(browser, "header a[href$='/personer']").click()
        assert_accessible(browser, "the people page")
        team = element(browser, "#p-ul_bellevue")
        team.find_element(By.XPATH, ".//summary[starts-with(., 'Slutar')]").click()
        browser.execute_script("document.getElementById('last-ul_bellevue').value = '2018-09-30'")
        submit(browser, team.find_element(By.CSS_SELECTOR, "form[action$='/slutar'] button[type=submit]"))
        assert element(browser, "p.notice").text == "Ändringen är sparad och gäller direkt."
        vacant = element(browser, "#vakanta + ul").text
        assert "Utvecklingsledare" in vacant and "Bellevuegården/Lorensborg" in vacant
        browser.find_element(By.CSS_SELECTOR, f"#vakanta + ul a[href*='omrade={AREA}']").click()
        assert Select(element(browser, "#role")).first_selected_option.get_attribute("value") == "utvecklingsledare"
        assert Select(browser.find_element(By.ID, "area")).first_selected_option.get_attribute("value") == AREA
        browser.find_element(By.ID, "name").send_keys("Anna Lind")
        browser.find_element(By.ID, "email").send_keys("anna.lind")  # no domain: refused, what was typed kept
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#ny button[type=submit]"))
        assert element(browser, "#err-email").text.startswith("Skriv en e-postadress")
        assert browser.find_element(By.ID, "name").get_attribute("value") == "Anna Lind"
        assert browser.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"
        assert_accessible(browser, "a refused new person")
        browser.find_element(By.ID, "email").clear()
        browser.find_element(By.ID, "email").send_keys(ANNA)
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#ny button[type=submit]"))
        assert element(browser, "p.notice").text == "Ändringen är sparad och gäller direkt. Välkomstbrevet, med en " \
            "inloggningslänk och sidornas adress, har tagits emot av e-postservern."
        assert "Anna Lind" in element(browser, "#p-anna_lind").text
        assert "Bellevuegården/Lorensborg" not in " ".join(e.text for e in browser.find_elements(
            By.CSS_SELECTOR, "#vakanta + ul"))  # the role is held again
        shot(browser, "people-role-handed-over")

    sweep(DAY)  # the morning run of the same day, in another part of the system: no restart
    reminder = wait_for(lambda: [m for m in site.mail.to(ANNA) if "Kärngrupp" in m.body or "Kärngrupp" in m.subject],
                        30, "the core group's reminder mailed to the new member")
    assert reminder and not [m for m in site.mail.to("ul_bellevue@test.example") if "Kärngrupp" in m.body]

    with chromium() as browser:  # she signs in with her own address
        browser.get(f"{site.url}/login")
        element(browser, "input[type=email]").send_keys(ANNA.upper())
        submit(browser, browser.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
        link = wait_for(lambda: next((re.search(r"http://127\.0\.0\.1:\d+/l/[\w.\-]+", m.body).group(0)  # type: ignore[union-attr]
                                      for m in site.mail.to(ANNA) if m.subject.startswith("Din inloggningslänk")),
                                     None), 30, "a sign-in link")
        follow_link(browser, link)
        assert element(browser, "header .muted").text.endswith("Anna Lind")
        assert element(browser, "h1").text == "Bellevuegården/Lorensborg"
        history = element(browser, "ol.history").text
    assert "Central samordnare CTC lade till Anna Lind som Utvecklingsledare från 2018-10-01" in history
    assert "Central samordnare CTC avslutade Utvecklingsledare Bellevuegården som Utvecklingsledare, sista dag 2018-09-30" in history
    with session_scope() as session:
        changes = session.execute(select(col(StaffChange.kind), col(StaffChange.person_id), col(StaffChange.recorded_by))
                                  .order_by(col(StaffChange.id))).all()
        events = session.execute(select(col(Event.kind)).where(col(Event.kind).in_(["person_joined", "person_left"]))).scalars().all()
    assert [tuple(c) for c in changes] == [("leave", "ul_bellevue", "samordnare"), ("join", "anna_lind", "samordnare")]
    assert sorted(events) == ["person_joined", "person_left"]


def test_only_the_coordinator_changes_people(site: Site) -> None:
    with chromium() as browser:
        follow_link(browser, Links().login("ul_bellevue"))
        assert not browser.find_elements(By.CSS_SELECTOR, "header a[href$='/personer']")
        browser.get(f"{site.url}/personer")
        assert element(browser, "h1").text == "Inte din uppgift"


def test_a_team_member_added_on_the_web_signs_in_as_herself_and_counts_for_her_sector(site: Site) -> None:
    from ctcflow.app.people import add_person, current_definitions
    from ctcflow.core.config import get_settings

    assert "kultur" not in current_definitions().org.area(AREA).sectors_represented(DAY)  # type: ignore[union-attr]
    add_person(current_definitions(), get_settings(), name="Sara Berg", email="sara.berg@kultur.test",
               role="omradesteam", area_id=AREA, sector="kultur", lang="sv", start=DAY, by="samordnare", as_of=DAY)
    assert "kultur" in current_definitions().org.area(AREA).sectors_represented(DAY)  # type: ignore[union-attr]
    with chromium(390, 844) as phone:
        phone.get(f"{site.url}/login")
        element(phone, "input[type=email]").send_keys("sara.berg@kultur.test")
        submit(phone, phone.find_element(By.CSS_SELECTOR, "main button[type=submit]"))
        link = wait_for(lambda: next((re.search(r"http://127\.0\.0\.1:\d+/l/[\w.\-]+", m.body).group(0)  # type: ignore[union-attr]
                                      for m in site.mail.to("sara.berg@kultur.test") if "/l/" in m.body), None),
                        30, "a sign-in link to the new member")
        follow_link(phone, link)
        assert element(phone, "header .muted").text.endswith("Sara Berg")  # herself, not the team's mailbox
        assert phone.find_element(By.LINK_TEXT, "Redovisa till kommunstyrelsen")  # she can record the area's work


@pytest.mark.parametrize(("name", "start", "field", "reason"), [
    ("A" * 10_000, DAY, "name", "too_long_name"),  # a paste gone wrong, never a person id
    ("Sara Berg", date(9999, 12, 31), "start", "too_far_ahead"),  # a typing error, not a plan
])
def test_a_name_or_start_no_person_has_is_refused_by_its_field(project: Project, name: str, start: date, field: str,
                                                                reason: str) -> None:
    from ctcflow.app.people import add_person, current_definitions
    from ctcflow.app.setup import init_database
    from ctcflow.core.config import get_settings
    from ctcflow.core.errors import Invalid

    init_database(DAY)
    with pytest.raises(Invalid) as refused:
        add_person(current_definitions(), get_settings(), name=name, email="sara.berg@kultur.test",
                   role="omradesteam", area_id=AREA, sector="kultur", lang="sv", start=start, by="samordnare",
                   as_of=DAY)
    assert (refused.value.field, refused.value.reason) == (field, reason)
    with session_scope() as session:
        assert session.execute(select(StaffChange)).first() is None


LINK = re.compile(r"http://127\.0\.0\.1:\d+/l/[\w.\-]+")


def test_a_person_added_gets_a_welcome_and_a_wrong_address_is_corrected_and_the_welcome_sent_again(
        site: Site) -> None:
    """The address the samordnare typed is refused by the mail server: the page says so in the
    server's words; the address is corrected on the page (dated, in the history), the welcome goes
    to the new address at once, and its link signs the new person in. Signing someone out
    everywhere asks first."""
    wrong, right = "sara.berg@fel.test", "sara.berg@kultur.test"
    site.mail.refuse = lambda address: "550 5.1.1 No such mailbox" if address == wrong else None
    with chromium() as browser:
        follow_link(browser, Links().login("samordnare"))
        browser.get(f"{site.url}/personer?roll=omradesteam&omrade={AREA}#ny")
        browser.find_element(By.ID, "name").send_keys("Sara Berg")
        browser.find_element(By.ID, "email").send_keys(wrong)
        Select(browser.find_element(By.ID, "sector")).select_by_value("kultur")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#ny button[type=submit]"))
        notice = element(browser, "p.notice").text
        assert "Välkomstbrevet kunde inte levereras (”550 5.1.1 No such mailbox" in notice, notice
        person = element(browser, "#p-sara_berg")
        person.find_element(By.XPATH, ".//summary[starts-with(., 'Rätta e-postadressen')]").click()
        field = person.find_element(By.ID, "adress-sara_berg")
        assert field.get_attribute("value") == wrong
        field.clear()
        field.send_keys(right)
        assert_accessible(browser, "correcting an address")
        submit(browser, person.find_element(By.CSS_SELECTOR, "form[action$='/adress'] button[type=submit]"))
        assert element(browser, "p.notice").text == "1 utskick försöktes igen nu: 1 skickade, 0 misslyckades igen."
        assert right in element(browser, "#p-sara_berg").text
    welcome = wait_for(lambda: [m for m in site.mail.to(right) if m.subject.startswith("Välkommen")], 30,
                       "the welcome at the corrected address")
    body = welcome[0].body
    assert "Central samordnare CTC har lagt till dig som områdesteam i Bellevuegården/Lorensborg" in body
    assert f"Sidorna finns på {site.url}" in body
    with chromium() as browser:
        found = LINK.search(body)
        assert found is not None
        follow_link(browser, found.group(0))
        assert element(browser, "header .muted").text.endswith("Sara Berg")
        history = element(browser, "ol.history").text
    assert f"Central samordnare CTC rättade e-postadressen för Sara Berg till {right}" in history, history
    with chromium() as browser:  # she is signed in elsewhere: ending that asks first
        follow_link(browser, Links().login("samordnare"))
        browser.get(f"{site.url}/personer")
        element(browser, "a[href$='/personer/sara_berg/logga-ut']").click()
        assert element(browser, "h1").text == "Logga ut Sara Berg överallt?"
        assert_accessible(browser, "signing someone out asks first")
        submit(browser, element(browser, "form.stack button[type=submit]"))
        assert "Sara Berg är utloggad överallt" in element(browser, "p.notice").text

"""The web pages end to end: a real uvicorn server on loopback, real reminders through a real
SMTP server, and Debian's Chromium clicking through them — with screenshots."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.core.config import reset_settings
from ctcflow.core.links import Links
from db.engine import session_scope
from db.models import Event, MilestoneInstance
from demo.mailserver import free_port
from tests.browser import (
    assert_accessible,
    chromium,
    element,
    fits,
    follow_link,
    lowest_contrast,
    opened_at_refusal,
    submit,
)
from tests.conftest import Project, wait_for
from tests.pages import DAY, Site, _instance_of, _milestone
from tests.webserver import session_for, web_server


def _share(browser: Any, area_id: str) -> str:
    row = element(browser, f'#matrix tr[data-area="{area_id}"] td.cell-current')
    return str(row.get_attribute("data-share"))


def test_a_reminder_link_opens_the_milestone_which_is_marked_done_and_the_matrix_changes(site: Site) -> None:
    link = site.link_to("ul_bellevue", "Påminnelse")
    instance_id = _instance_of(link)
    with chromium() as team, chromium() as coordinator:
        coordinator.get(f"{site.url}/login")
        element(coordinator, "input[name=email]").send_keys("Samordnare@Test.Example")
        submit(coordinator, coordinator.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
        assert "har vi skickat en inloggningslänk" in coordinator.page_source
        follow_link(coordinator, site.link_to("samordnare", "Din inloggningslänk"))
        assert coordinator.current_url.endswith("/oversikt")
        before = _share(coordinator, "bellevuegarden_lorensborg")

        follow_link(team, link)
        section = element(team, f"#m-{instance_id}")
        assert team.current_url.endswith(f"#m-{instance_id}")
        assert section.get_attribute("data-state") == "open"
        section.find_element(By.NAME, "note").send_keys("Styrgruppen har sagt ja")
        section.find_element(By.NAME, "link").send_keys("https://malmo.se/ctc/beslut-2018.pdf")
        submit(team, section.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert element(team, "p.notice").text == "Milstolpen är markerad som klar."
        assert team.find_element(By.ID, f"m-{instance_id}").get_attribute("data-state") == "done"
        team.save_screenshot(str(site.shots / "area-marked-done.png"))

        coordinator.refresh()
        after = _share(coordinator, "bellevuegarden_lorensborg")
        coordinator.save_screenshot(str(site.shots / "overview.png"))
    done, total = (int(x) for x in before.split("/"))
    assert after == f"{done + 1}/{total}"
    marked = _milestone(instance_id)
    assert (marked.status, marked.done_by, marked.done_on) == ("done", "ul_bellevue", DAY)
    assert marked.evidence == "https://malmo.se/ctc/beslut-2018.pdf" and marked.note == "Styrgruppen har sagt ja"
    with session_scope() as session:  # the same event log as the command line, with who and when
        event = session.execute(select(Event).where(col(Event.kind) == "milestone_done")
                                .order_by(col(Event.id).desc())).scalars().first()
    assert event is not None
    assert (event.actor, event.area_id, event.subject) == ("ul_bellevue", "bellevuegarden_lorensborg",
                                                           marked.milestone_id)
    assert (site.shots / "overview.png").stat().st_size > 10_000


def test_another_areas_milestone_is_refused_and_nothing_changes(site: Site) -> None:
    own = site.link_to("ul_bellevue", "Påminnelse")
    with session_scope() as session:
        other = session.execute(select(col(MilestoneInstance.id)).where(
            col(MilestoneInstance.area_id) == "hermodsdal_nydala_gullviksborg").limit(1)).scalar()
    assert other is not None
    with chromium() as browser:
        follow_link(browser, own)
        browser.get(f"{site.url}/omrade/hermodsdal_nydala_gullviksborg")
        assert "Inte ditt område" in browser.page_source
        browser.save_screenshot(str(site.shots / "refused.png"))
        follow_link(browser, own)  # a valid form token of the team's own page, posted to another area
        token = element(browser, "input[name=csrf]").get_attribute("value")
        status = browser.execute_script(
            "const body = new FormData(); body.append('csrf', arguments[0]); body.append('link', 'https://x.se');"
            "return fetch(arguments[1], {method: 'POST', body}).then(r => r.status);",
            token, f"{site.url}/omrade/hermodsdal_nydala_gullviksborg/klar/{other}")
    assert status == 403
    assert _milestone(other).status == "open"


def test_expired_tampered_and_reused_links_get_a_clear_page_and_change_nothing(site: Site) -> None:
    link = site.link_to("ul_bellevue", "Påminnelse")
    instance_id = _instance_of(link)
    expired = Links().milestone("ul_bellevue", "bellevuegarden_lorensborg", instance_id,
                                now=time.time() - 31 * 86400)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    with chromium() as browser:
        browser.get(expired)
        assert "Länken har gått ut" in browser.page_source
        browser.save_screenshot(str(site.shots / "expired.png"))
        assert not [c for c in browser.get_cookies() if c["name"] == "ctc_session"]
        browser.get(tampered)
        assert "Länken är ogiltig" in browser.page_source
        assert "Traceback" not in browser.page_source
        assert not [c for c in browser.get_cookies() if c["name"] == "ctc_session"]
        login = Links().login("ul_bellevue")
        follow_link(browser, login)
        assert "/omrade/bellevuegarden_lorensborg" in browser.current_url
    with chromium() as forwarded:  # the same link, used again (a forwarded mail): used, nobody signed in
        follow_link(forwarded, login)
        assert "Länken är redan använd" in forwarded.page_source
        assert not [c for c in forwarded.get_cookies() if c["name"] == "ctc_session"]
    assert _milestone(instance_id).status == "open"


def _post(url: str, fields: dict[str, str], cookie: str = "") -> int:
    data = "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in fields.items()).encode()
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_forms_without_their_token_are_refused(site: Site) -> None:
    instance_id = _instance_of(site.link_to("ul_bellevue", "Påminnelse"))
    cookie, _ = session_for("ul_bellevue")
    url = f"{site.url}/omrade/bellevuegarden_lorensborg/klar/{instance_id}"
    assert _post(url, {"link": "https://x.se"}, cookie) == 403
    assert _post(url, {"link": "https://x.se", "csrf": "forged"}, cookie) == 403
    assert _post(url, {"link": "https://x.se"}) == 401
    assert _milestone(instance_id).status == "open"


@pytest.mark.both_databases
def test_an_uploaded_document_is_kept_with_its_hash_and_can_be_downloaded(site: Site, tmp_path: Path) -> None:
    import hashlib

    link = site.link_to("ul_bellevue", "Påminnelse")
    instance_id = _instance_of(link)
    document = tmp_path / "protokoll styrgrupp.pdf"
    document.write_bytes(b"%PDF-1.4 protokoll " * 200)
    with chromium() as browser:
        follow_link(browser, link)
        section = element(browser, f"#m-{instance_id}")
        section.find_element(By.NAME, "document").send_keys(str(document))
        submit(browser, section.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        href = element(browser, f"#m-{instance_id}").find_element(
            By.PARTIAL_LINK_TEXT, "protokoll styrgrupp.pdf").get_attribute("href")
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    sha = hashlib.sha256(document.read_bytes()).hexdigest()
    assert f"/omrade/bellevuegarden_lorensborg/bevis/{sha}" in str(href)
    assert _milestone(instance_id).evidence == f"fil:{sha}:protokoll styrgrupp.pdf"
    with urllib.request.urlopen(urllib.request.Request(str(href), headers={"Cookie": cookie})) as response:
        assert response.read() == document.read_bytes()


def test_the_area_page_fits_a_phone_and_speaks_english_on_request(site: Site) -> None:
    with chromium(390, 844) as phone:
        follow_link(phone, site.link_to("ul_bellevue", "Påminnelse"))
        width = phone.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        phone.save_screenshot(str(site.shots / "phone.png"))
        phone.get(f"{site.url}/omrade/bellevuegarden_lorensborg?lang=en")
        english = phone.page_source
        phone.get(f"{site.url}/omrade/bellevuegarden_lorensborg")  # the choice is remembered
        remembered = phone.page_source
    assert width[0] <= width[1]
    assert "Mark as done" in english and "Core group of 4–7 people formed" in english
    assert "Mark as done" in remembered



def test_behind_a_reverse_proxy_the_links_and_redirects_carry_its_path(project: Project,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """nginx: location /ctc/ { proxy_pass http://127.0.0.1:PORT/; } — the proxy strips /ctc."""
    port = free_port()
    monkeypatch.setenv("CTC_WEB_BASE_URL", "https://ctc.malmo.example/ctc")
    monkeypatch.setenv("CTC_WEB_SECRET_KEY", "test-key-not-a-secret-0123456789abcdef")
    reset_settings()
    init_database(date(2018, 8, 1))
    link = Links().login("samordnare")
    assert link.startswith("https://ctc.malmo.example/ctc/l/")

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(Keep)

    def location(path: str) -> str:
        try:
            opener.open(f"{url}{path}")
        except urllib.error.HTTPError as exc:
            return str(exc.headers.get("location"))
        raise AssertionError("no redirect")

    with web_server(port, root_path="/ctc") as url:
        assert location("/") == "/ctc/login"
        path = link.removeprefix("https://ctc.malmo.example/ctc")
        with opener.open(f"{url}{path}") as response:  # the link's page posts back under the proxy's path
            assert f'action="/ctc{path}"' in response.read().decode()


def test_undo_on_the_web_reopens_the_milestone_and_the_calendar_feed_needs_its_signed_link(site: Site) -> None:
    link = site.link_to("ul_bellevue", "Påminnelse")
    instance_id = _instance_of(link)
    with chromium() as browser:
        follow_link(browser, link)
        section = element(browser, f"#m-{instance_id}")
        section.find_element(By.NAME, "link").send_keys("https://malmo.se/ctc/karngrupp")
        submit(browser, section.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        browser.find_element(By.CSS_SELECTOR, f"#m-{instance_id} a.undo").click()
        asked = element(browser, "h1").text  # undo asks first, and says whose work it reopens
        assert asked == "Ångra: Kärngrupp om 4–7 personer bildad"
        assert f"Markerades som klar {DAY.isoformat()} av Utvecklingsledare Bellevuegården." in browser.page_source
        assert _milestone(instance_id).status == "done"  # asking changed nothing
        browser.find_element(By.NAME, "note").send_keys("Fel grupp, en medlem hoppade av")
        submit(browser, element(browser, "form.stack button[type=submit]"))
        assert element(browser, "p.notice").text == "Milstolpen är öppnad igen."
        assert element(browser, f"#m-{instance_id}").get_attribute("data-state") == "open"
        feed = str(element(browser, 'a[href*="/kalender/"]').get_attribute("href"))
    assert _milestone(instance_id).status == "open"
    with session_scope() as session:
        kinds = [e.kind for e in session.execute(select(Event).where(col(Event.actor) == "ul_bellevue")
                                                 .order_by(col(Event.id))).scalars()]
    assert kinds[-2:] == ["milestone_done", "milestone_undone"]
    with urllib.request.urlopen(feed) as response:
        assert response.headers["content-type"].startswith("text/calendar")
        calendar_text = response.read().decode()
    assert "BEGIN:VEVENT" in calendar_text and "Kärngrupp om 4–7 personer bildad" in calendar_text
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(feed.replace(".ics", "x.ics"))
    assert refused.value.code == 400


def test_a_phase_finding_links_to_the_area_page_for_its_reader(site: Site) -> None:
    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    link = site.link_to("ul_bellevue", "Mobilisering i Bellevuegården")  # sectors missing in the team
    with urllib.request.urlopen(link) as response:  # opening it signs nobody in: it asks first
        asked = response.read().decode()
        form_cookie = response.headers["set-cookie"].split(";")[0]
    assert "Fortsätt som Utvecklingsledare Bellevuegården" in asked and "Bellevuegården" in asked
    assert not form_cookie.startswith("ctc_session=")
    csrf = re.search(r'name="csrf" value="([^"]+)"', asked).group(1)  # type: ignore[union-attr]
    request = urllib.request.Request(link, data=f"csrf={csrf}".encode(), headers={"Cookie": form_cookie})
    try:
        urllib.request.build_opener(Keep).open(request)
    except urllib.error.HTTPError as exc:
        assert exc.code == 303 and exc.headers["location"] == "/omrade/bellevuegarden_lorensborg"
        cookie = exc.headers["set-cookie"]
    else:
        raise AssertionError("no redirect")
    assert cookie.startswith("ctc_session=") and "HttpOnly" in cookie and "Secure" in cookie
    assert "samesite=lax" in cookie.lower()


def _signed_in(person: str) -> tuple[str, str]:
    """A session cookie for ``person`` and the form token bound to it, as the pages issue them."""
    return session_for(person)


def _get(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode()


def test_the_web_asks_the_same_permission_rule_as_the_command_line(site: Site) -> None:
    """A chief sees the city and every area but changes nothing; the coordinator changes any area."""
    instance_id = _instance_of(site.link_to("ul_bellevue", "Påminnelse"))
    area = f"{site.url}/omrade/bellevuegarden_lorensborg"
    cookie, csrf = _signed_in("avdelningschef")
    assert _get(f"{site.url}/oversikt", cookie)[0] == 200
    status, page = _get(area, cookie)
    assert status == 200 and f"/klar/{instance_id}" not in page  # no form where the action would be refused
    assert _post(f"{area}/klar/{instance_id}", {"csrf": csrf, "link": "https://x.se"}, cookie) == 403
    assert _milestone(instance_id).status == "open"

    cookie, csrf = _signed_in("ul_bunkeflo")  # another area's lead neither sees nor changes it
    assert _get(area, cookie)[0] == 403
    assert _get(f"{site.url}/oversikt", cookie)[0] == 403

    cookie, csrf = _signed_in("samordnare")
    assert _post(f"{area}/klar/{instance_id}", {"csrf": csrf, "link": "https://x.se"}, cookie) == 200  # redirected
    done = _milestone(instance_id)
    assert done.status == "done" and done.done_by == "samordnare"


def test_sign_in_by_e_mail_answers_the_same_whether_the_address_is_known_or_not(site: Site) -> None:
    answers = []
    with chromium() as browser:
        for typed in ("ul_bellevue@test.example", "nobody@test.example"):
            browser.get(f"{site.url}/login")
            element(browser, "input[name=email]").send_keys(typed)
            submit(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
            answers.append(element(browser, "p.notice").text)
        assert_accessible(browser, "the sign-in page, after asking")
    assert len(set(answers)) == 1 and "skickat en inloggningslänk" in answers[0]
    wait_for(lambda: any(m.subject.startswith("Din inloggningslänk") for m in site.mail.to("ul_bellevue@test.example")))
    signins = [m for m in site.mail.to("ul_bellevue@test.example") if m.subject.startswith("Din inloggningslänk")]
    assert len(signins) == 1
    assert not site.mail.to("nobody@test.example")


def test_the_styrgrupp_sees_what_blocks_the_gate_then_approves_the_phase(site: Site) -> None:
    from ctcflow.definition.loader import load_definitions
    from ctcflow.engine.marking import mark_done

    area = "bellevuegarden_lorensborg"
    defs = load_definitions()
    phase = defs.process.phases[0]
    with chromium() as browser:
        follow_link(browser, Links().login("styrgrupp_bellevue"))
        gate = element(browser, f"#grind-{phase.id}-1")
        assert "när detta är klart" in gate.text and not gate.find_elements(By.TAG_NAME, "button")
        assert "Kärngrupp om 4–7 personer bildad" in gate.text
        with session_scope() as session:  # the team does its work, the coordinator hers
            for milestone in phase.milestones:
                if milestone.required and not session.execute(select(MilestoneInstance).where(
                        col(MilestoneInstance.area_id) == area, col(MilestoneInstance.milestone_id) == milestone.id,
                        col(MilestoneInstance.status) == "done")).first():
                    by = "samordnare" if milestone.owner == "central_samordnare" else "ul_bellevue"
                    mark_done(session, defs, area, milestone.id, by=by, as_of=DAY, evidence="protokoll")
        browser.refresh()
        gate = element(browser, f"#grind-{phase.id}-1")
        assert "Allt som krävs är klart" in gate.text
        assert_accessible(browser, "a gate ready for approval")
        submit(browser, gate.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert element(browser, "p.notice").text == "Fasen är godkänd."
        second = defs.process.phases[1]
        assert element(browser, f"#fas-{second.id}-1").text == defs.name("phase", second.id, "sv")
    with session_scope() as session:
        approved = session.execute(select(Event).where(col(Event.kind) == "phase_approved", col(Event.area_id) == area)).scalars().all()
    assert [(e.actor, e.subject) for e in approved] == [("styrgrupp_bellevue", phase.id)]


def test_a_failing_delivery_is_shown_to_the_samordnare_and_retried_at_once(site: Site,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from ctcflow.app.signin import send_login_link
    from ctcflow.core.config import get_settings
    from ctcflow.definition.loader import load_definitions

    defs = load_definitions()
    person = defs.org.person("ul_bellevue")
    assert person is not None
    monkeypatch.setenv("CTC_NOTIFY_UL_BELLEVUE", site.mail.url("ul_bellevue@test.example").replace(
        f":{site.mail.port}?", f":{free_port()}?"))  # nobody listens there
    send_login_link(defs, get_settings(), person[0], DAY)

    def signin_mails() -> int:
        return sum(m.subject.startswith("Din inloggningslänk") for m in site.mail.to("ul_bellevue@test.example"))

    assert signin_mails() == 0
    monkeypatch.setenv("CTC_NOTIFY_UL_BELLEVUE", site.mail.url("ul_bellevue@test.example"))  # put right
    with chromium(390, 844) as phone:  # on a phone the failure reads as a card: who, what, the error — no scrolling
        follow_link(phone, Links().login("samordnare"))
        error = element(phone, "#utskick + div table td[data-label]:last-child")
        assert phone.execute_script("return arguments[0].getBoundingClientRect().right", error) <= 390
        assert error.text and fits(phone)
    with chromium() as browser:
        follow_link(browser, Links().login("samordnare"))
        failing = element(browser, "#utskick + div table tbody tr").text
        assert failing.startswith("Utvecklingsledare Bellevuegården")
        # a phase not started is a grey dash that is still readable (WCAG 1.4.3: 4.5:1)
        assert browser.find_elements(By.CSS_SELECTOR, "td.cell-none")
        assert lowest_contrast(browser, "td.cell-none") >= 4.5
        assert_accessible(browser, "the overview with a failing delivery")
        submit(browser, element(browser, "form[action$='/utskick/forsok-igen'] button"))
        assert element(browser, "p.notice").text == "1 utskick försöktes igen nu: 1 skickade, 0 misslyckades igen."
    wait_for(lambda: signin_mails() == 1)


def test_keyboard_only_from_the_skip_link_to_a_milestone_marked_done(site: Site) -> None:
    """No mouse: the skip link comes first, focus is always visible, every field has its label,
    the outcome is announced (role=status). (A refusal's announcement: test_workplace.)"""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    def focused() -> Any:
        return browser.switch_to.active_element

    def press(*keys: str) -> None:  # to the page, as a person types, not into an element
        ActionChains(browser).send_keys(*keys).perform()

    def outlined() -> bool:
        style = browser.execute_script("const s = getComputedStyle(document.activeElement);"
                                       "return [s.outlineStyle, s.outlineWidth];")
        return bool(style[0] != "none" and style[1] != "0px")

    with chromium() as browser:
        follow_link(browser, site.link_to("ul_bellevue", "Påminnelse"))  # signs in, opens the milestone
        instance_id = browser.current_url.split("m=")[1].split("#")[0]
        browser.get(browser.current_url.split("#")[0])  # from the top of the page
        press(Keys.TAB)
        assert focused().get_attribute("class") == "skip" and outlined()
        press(Keys.ENTER)
        assert focused().get_attribute("id") == "innehall"
        for _ in range(80):  # on to the open card's note field, tabbing
            press(Keys.TAB)
            if focused().get_attribute("id") == f"note-{instance_id}":
                break
            assert outlined(), f"no visible focus on {focused().tag_name}"
        else:
            raise AssertionError("the note field cannot be reached with the keyboard")
        label = browser.find_element(By.CSS_SELECTOR, f"label[for=note-{instance_id}]").text
        assert label == "Anteckning"
        press("Klart enligt protokollet")
        while focused().get_attribute("type") != "submit":
            press(Keys.TAB)
            assert outlined()
        press(Keys.ENTER)
        notice = element(browser, "p.notice")
        assert notice.text == "Milstolpen är markerad som klar." and notice.get_attribute("role") == "status"
    assert _milestone(int(instance_id)).status == "done"


def test_a_settings_file_with_a_mistake_is_said_on_the_page_never_a_500(site: Site, project: Project) -> None:
    """survey.yml edited into a mistake while the pages run: the plan page, which cannot do without
    it, says so in words (503, the mistake and its line); the coordinator's overview carries it on
    top until the file is corrected; an area's team sees no such banner."""
    cookie, _ = _signed_in("samordnare")
    text = (project.root / "survey.yml").read_text(encoding="utf-8")
    project.edit("survey.yml", "cut_point: 2.5", "cut_point: hög")
    status, page = _get(f"{site.url}/omrade/bellevuegarden_lorensborg/plan", cookie)
    assert status == 503 and "En inställningsfil har ett fel" in page and "survey.yml:199:" in page
    overview = wait_for(lambda: (lambda found: found if 'id="definitionsfel"' in found[1] else None)(
        _get(f"{site.url}/oversikt", cookie)), 10, "the mistake on the coordinator's overview")
    shown = re.sub(r"<style>.*?</style>", "", overview[1], flags=re.S)
    assert overview[0] == 200 and "survey.yml:199:" in shown and "cut_point" in shown  # the rest still shows
    assert "<h1>Översikt" in shown
    team, _ = _signed_in("ul_bellevue")
    assert 'id="definitionsfel"' not in _get(f"{site.url}/omrade/bellevuegarden_lorensborg", team)[1]
    (project.root / "survey.yml").write_text(text, encoding="utf-8")
    wait_for(lambda: 'id="definitionsfel"' not in _get(f"{site.url}/oversikt", cookie)[1] or None, 10,
             "the banner gone once the file is corrected")


def _post_as(url: str, person: str, path: str, **form: str) -> Any:
    import httpx

    cookie, csrf = session_for(person)
    return httpx.post(f"{url}{path}", data={"csrf": csrf, **form}, headers={"Cookie": cookie}, timeout=30)


def _instance(area_id: str, milestone_id: str) -> int:
    with session_scope() as session:
        found = session.execute(select(col(MilestoneInstance.id)).where(
            col(MilestoneInstance.area_id) == area_id, col(MilestoneInstance.milestone_id) == milestone_id)).scalars().first()
    assert found is not None
    return int(found)


def test_races_and_other_roles_are_refused_in_swedish_under_a_heading_that_fits(site: Site) -> None:
    """Two people undoing the same milestone: the second is told, in Swedish and without the log's
    ids, under "Det gick inte att ångra". A team member cannot undo the development lead's work,
    the development lead cannot approve the styrgrupp's gate: 403 pages that say who does."""
    from ctcflow.definition.loader import load_definitions
    from ctcflow.engine.marking import mark_done

    area = "bellevuegarden_lorensborg"
    core_group = _instance(area, "karngrupp_bildad")
    with session_scope() as session:
        mark_done(session, load_definitions(), area, "karngrupp_bildad", by="ul_bellevue", as_of=DAY)
    first = _post_as(site.url, "ul_bellevue", f"/omrade/{area}/angra/{core_group}", note="fel grupp")
    assert first.status_code == 303
    second = _post_as(site.url, "samordnare", f"/omrade/{area}/angra/{core_group}", note="fel grupp")
    assert second.status_code == 409
    text = re.sub(r"<[^>]+>", " ", second.text)
    assert "Det gick inte att ångra" in text and "Milstolpen är inte (längre) markerad som klar" in text
    assert "karngrupp_bildad" not in text and "nothing to undo" not in text and area not in text
    with session_scope() as session:
        mark_done(session, load_definitions(), area, "karngrupp_bildad", by="ul_bellevue", as_of=DAY)
    by_the_team = _post_as(site.url, "team_bellevue", f"/omrade/{area}/angra/{core_group}", note="x")
    assert by_the_team.status_code == 403 and "Inte din uppgift" in by_the_team.text
    assert _milestone(core_group).status == "done"
    approval = _post_as(site.url, "ul_bellevue", f"/omrade/{area}/godkann/mobilisering")
    assert approval.status_code == 403 and "Fasen godkänns av den roll som godkänner den" in approval.text
    assert "Inte ditt område" not in approval.text


def test_a_refused_form_on_a_phone_keeps_the_chosen_file_and_opens_at_the_summary(site: Site, tmp_path: Path) -> None:
    """The development lead on a phone attaches the core group's minutes and types a link that is
    not one: the page opens at the summary (in view, focused), says the file is kept and shows its
    name; with the link removed and no file chosen again, the milestone is marked with the file."""
    area = "bellevuegarden_lorensborg"
    core_group = _instance(area, "karngrupp_bildad")
    minutes = tmp_path / "protokoll-karngrupp.txt"
    minutes.write_text("Kärngruppen bildades med fem personer.", encoding="utf-8")
    with chromium(width=390, height=844) as phone:
        follow_link(phone, Links().login("ul_bellevue"))
        phone.get(f"{site.url}/omrade/{area}?m={core_group}#m-{core_group}")
        card = element(phone, f"#m-{core_group}")
        card.find_element(By.NAME, "link").send_keys("ftp://arkivet/protokoll")  # a link, but not to the web
        card.find_element(By.NAME, "document").send_keys(str(minutes))
        submit(phone, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert opened_at_refusal(phone)
        kept = element(phone, f"#kept-file-{core_group}").text
        assert "protokoll-karngrupp.txt" in kept and "behålls" in kept, kept
        assert_accessible(phone, "a refused milestone with its file kept")
        card = element(phone, f"#m-{core_group}")
        card.find_element(By.NAME, "link").clear()
        submit(phone, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert element(phone, "p.notice").text == "Milstolpen är markerad som klar."
    marked = _milestone(core_group)
    assert marked.status == "done" and "protokoll-karngrupp.txt" in (marked.evidence or "")


def test_the_language_switch_keeps_what_the_page_shows(site: Site) -> None:
    """English on the overview filtered to one phase and a search: the same filtered page, in English."""
    import html

    import httpx

    cookie, _ = session_for("samordnare")
    page = httpx.get(f"{site.url}/oversikt?fas=lagesanalys&q=bell", headers={"Cookie": cookie}, timeout=30).text
    switch = re.search(r'<a href="([^"]*)" hreflang="en"', page)
    assert switch is not None
    english = httpx.get(f"{site.url}/oversikt{html.unescape(switch.group(1))}", headers={"Cookie": cookie}, timeout=30)
    assert '<html lang="en"' in english.text
    assert 'value="bell"' in english.text and re.search(r'<option value="lagesanalys" selected', english.text)


def test_the_coordinator_closes_an_item_no_longer_relevant_and_the_report_says_why(site: Site, tmp_path: Path) -> None:
    """An overdue item nobody will do leaves the team's list only by the coordinator's decision,
    with its reason: refused without one; then gone from 'Att göra nu', in the history with the
    reason, in the board's report under 'Stängda som inte längre aktuella', and a sync does not
    bring it back."""
    from ctcflow.cli.main import main

    area = "bellevuegarden_lorensborg"
    with session_scope() as session:
        overdue = session.execute(select(col(MilestoneInstance.id), col(MilestoneInstance.milestone_id)).where(
            col(MilestoneInstance.area_id) == area, col(MilestoneInstance.status) == "open",
            col(MilestoneInstance.due_date) < DAY)).first()
    assert overdue is not None, "the fixture has an overdue item"
    instance_id, milestone_id = overdue
    reason = "Kontaktpersonen utsågs redan 2017 i det tidigare trygghetsarbetet"
    with chromium() as browser:
        follow_link(browser, Links().login("samordnare"))
        browser.get(f"{site.url}/omrade/{area}#m-{instance_id}")
        card = element(browser, f"#m-{instance_id}")
        card.find_element(By.XPATH, ".//summary[starts-with(., 'Stäng')]").click()
        submit(browser, card.find_element(By.CSS_SELECTOR, "form[action*='/stang/'] button[type=submit]"))
        assert opened_at_refusal(browser)
        assert "Skriv varför den inte längre är aktuell" in element(browser, "#fel").text
        card = element(browser, f"#m-{instance_id}")
        card.find_element(By.NAME, "reason").send_keys(reason)
        submit(browser, card.find_element(By.CSS_SELECTOR, "form[action*='/stang/'] button[type=submit]"))
        assert element(browser, "p.notice").text.startswith("Den är stängd som inte längre aktuell.")
        assert not browser.find_elements(By.CSS_SELECTOR, f"#m-{instance_id}")
        assert not [a for a in browser.find_elements(By.CSS_SELECTOR, "ol.todo a")
                    if str(a.get_attribute("href")).endswith(f"#m-{instance_id}")]
        history = element(browser, "ol.history").text
        assert "stängde" in history and reason in history
        assert_accessible(browser, "an item closed as no longer relevant")
    assert main(["sync"]) == 0
    assert _milestone(instance_id).retired and _milestone(instance_id).closed_reason == reason
    out = tmp_path / "rapport"
    assert main(["report", "ks", "--period", f"2018-01-01..{DAY.isoformat()}", "--as-of", DAY.isoformat(),
                 "--format", "md", "--out", str(out)]) == 0
    paper = next(out.glob("*.md")).read_text(encoding="utf-8")
    assert "Stängda som inte längre aktuella:" in paper and f"stängd {DAY.isoformat()} av Central samordnare CTC" in paper
    assert reason in paper

"""The områdesteam's prioritering and handlingsplan on the web, through to the styrgrupp's gate:
the survey's suggested factors beside the decision form (a decision of one factor refused next to
the field, the ticks kept), goals and programmes per factor with what is still uncovered holding
the gate, the plan to print, and a programme's implementation with its fidelity verdict. Real
Chromium, axe-core on every state, on a desktop and a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.progress import approve_phase, record_done
from ctcflow.core.links import Links
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from db.engine import session_scope
from db.models import ImplementationRecord, PhaseInstance, PlanProgramme, PriorityDecision
from demo.mailserver import LocalMailServer
from demo.synthetic import Plan, synthetic_wave, write_export
from tests.browser import assert_accessible, chromium, element, fits, follow_link, shot, submit
from tests.conftest import Project, pages_port
from tests.test_phases import AREA, FACTORS, complete, wave
from tests.webserver import web_server

DECIDE_ON, PLAN_ON = date(2019, 5, 20), date(2019, 6, 10)


@pytest.fixture
def port(project: Project, mail: LocalMailServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[int]:
    """Bellevuegården in prioritering: mobilisering and lägesanalys done, the 2019 survey in."""
    port = pages_port(monkeypatch)
    complete("mobilisering", date(2019, 1, 15))
    approve_phase(AREA, "mobilisering", by="styrgrupp_bellevue", as_of=date(2019, 1, 15), note=None)
    wave(tmp_path, 2019, date(2019, 3, 20))
    complete("lagesanalys", date(2019, 5, 2), skip=("enkat_genomford", "enkat_analyserad"))
    approve_phase(AREA, "lagesanalys", by="ul_bellevue", as_of=date(2019, 5, 2), note=None)
    record_done(AREA, "prioriteringsworkshop", by="ul_bellevue", as_of=date(2019, 5, 3), evidence=None, note=None)
    yield port


def _factor_title(browser: object, factor_id: str) -> str:
    return str(browser.find_element(By.CSS_SELECTOR, f"label[for=f-{factor_id}]").text)  # type: ignore[attr-defined]


def test_the_team_decides_plans_and_the_styrgrupp_approves_at_the_gate(port: int) -> None:
    with web_server(port, as_of=DECIDE_ON) as url, chromium() as browser:
        follow_link(browser, Links().login("team_bellevue"))
        element(browser, "nav.pagenav a[href$='/plan']").click()
        suggested = element(browser, "#prioriteringar table").text
        titles = {f: _factor_title(browser, f).removesuffix(" (föreslagen)") for f in FACTORS}
        assert all(title in suggested for title in titles.values())  # the planted factors stand out
        assert all(_factor_title(browser, f).endswith("(föreslagen)") for f in FACTORS)
        assert_accessible(browser, "the plan page before a decision")
        # one factor is not a CTC decision: refused next to the choices, the tick and the note kept
        browser.find_element(By.ID, f"f-{FACTORS[0]}").click()
        browser.find_element(By.ID, "decision-note").send_keys("Från workshoppen 15 maj")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#prioriteringar form button[type=submit]"))
        error = element(browser, "#err-factors")
        assert error.text == "Välj mellan 2 och 5 faktorer – så arbetar CTC." and error.get_attribute("role") == "alert"
        assert browser.find_element(By.ID, f"f-{FACTORS[0]}").is_selected()
        assert browser.find_element(By.ID, "decision-note").get_attribute("value") == "Från workshoppen 15 maj"
        assert_accessible(browser, "a refused decision")
        with session_scope() as session:
            assert session.execute(select(PriorityDecision)).first() is None
        for factor in FACTORS[1:]:
            browser.find_element(By.ID, f"f-{factor}").click()
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#prioriteringar form button[type=submit]"))
        assert element(browser, "p.notice").text == "Det är sparat."
        assert "Teamet beslutade 2019-05-20 (Områdesteamet Bellevuegården)" in element(browser, "#prioriteringar").text
        assert browser.find_element(By.CSS_SELECTOR, "#handlingsplan p").text.startswith("Handlingsplanen skrivs när")
    with session_scope() as session:
        [decision] = session.execute(select(PriorityDecision)).scalars()
    assert sorted(decision.factors.split(",")) == sorted(FACTORS) and decision.note == "Från workshoppen 15 maj"

    complete("prioritering", date(2019, 6, 3))
    approve_phase(AREA, "prioritering", by="styrgrupp_bellevue", as_of=date(2019, 6, 4), note=None)

    with web_server(port, as_of=PLAN_ON) as url, chromium() as browser:
        follow_link(browser, Links().login("team_bellevue"))
        browser.get(f"{url}/omrade/{AREA}/plan")
        assert all(titles[f] in element(browser, "#tackning").text for f in FACTORS)  # nothing covered yet
        first, *rest = FACTORS
        submit(browser, browser.find_element(By.CSS_SELECTOR, f"#faktor-{first} form button[type=submit]"))
        goal = browser.find_element(By.ID, f"goal-{first}")
        assert goal.get_attribute("aria-invalid") == "true" and element(browser, f"#err-goal-{first}").text.startswith(
            "Skriv målet")
        goal.send_keys("från 50 % till 40 % till enkäten 2021")
        submit(browser, browser.find_element(By.CSS_SELECTOR, f"#faktor-{first} form button[type=submit]"))
        assert "från 50 % till 40 % till enkäten 2021" in element(browser, f"#faktor-{first}").text
        # the first programme with who runs it and its budget: a budget that is not an amount is
        # refused next to its field, what was typed kept
        program_form = f"#faktor-{first} form[action$='/plan/program'] button[type=submit]"
        Select(browser.find_element(By.ID, f"prog-{first}")).select_by_index(0)
        browser.find_element(By.ID, f"responsible-{first}").send_keys("Fritidsgården Bellevue")
        browser.find_element(By.ID, f"budget-{first}").send_keys("tvåhundratusen")
        submit(browser, browser.find_element(By.CSS_SELECTOR, program_form))
        budget = browser.find_element(By.ID, f"budget-{first}")
        assert budget.get_attribute("aria-invalid") == "true"
        assert element(browser, f"#err-budget-{first}").text.startswith("Ange budgeten i kronor")
        assert browser.find_element(By.ID, f"responsible-{first}").get_attribute("value") == "Fritidsgården Bellevue"
        budget.clear()
        budget.send_keys("250 000")
        submit(browser, browser.find_element(By.CSS_SELECTOR, program_form))
        for factor in FACTORS[1:-1]:
            choose = Select(browser.find_element(By.ID, f"prog-{factor}"))
            choose.select_by_index(0)
            submit(browser, browser.find_element(By.CSS_SELECTOR, f"#faktor-{factor} form[action$='/plan/program'] "
                                                                  "button[type=submit]"))
        coverage = element(browser, "#tackning").text
        assert titles[FACTORS[-1]] in coverage and titles[first] not in coverage  # the last one still uncovered
        assert_accessible(browser, "a plan with an uncovered factor")
        browser.execute_script("document.getElementById('handlingsplan').scrollIntoView()")
        shot(browser, "plan-uncovered-factor")
        complete("handlingsplan", PLAN_ON)  # the team's milestones; the uncovered factor still holds the gate

        follow_link(browser, Links().login("styrgrupp_bellevue"))
        gate = element(browser, "div.gate[id^=grind-handlingsplan]")
        assert titles[FACTORS[-1]] in gate.text and not gate.find_elements(By.TAG_NAME, "button")

        follow_link(browser, Links().login("team_bellevue"))
        browser.get(f"{url}/omrade/{AREA}/plan")
        Select(browser.find_element(By.ID, f"prog-{FACTORS[-1]}")).select_by_index(0)
        submit(browser, browser.find_element(By.CSS_SELECTOR, f"#faktor-{FACTORS[-1]} form[action$='/plan/program'] "
                                                              "button[type=submit]"))
        assert element(browser, "#tackning").text == "Varje prioriterad faktor har minst ett program."
        element(browser, "a[href$='/plan/dokument']").click()
        document = element(browser, "body").text
        with session_scope() as session:
            chosen = session.execute(select(col(PlanProgramme.programme_id))).scalars().all()
        assert len(chosen) == 3 and "från 50 % till 40 % till enkäten 2021" in document
        assert "Ansvarig Fritidsgården Bellevue" in document and "Budget 250 000 kr" in document
        assert "sammanlagt 250 000 kr; för 2 program saknas budget" in document

        follow_link(browser, Links().login("styrgrupp_bellevue"))
        gate = element(browser, "div.gate[id^=grind-handlingsplan]")
        assert_accessible(browser, "the handlingsplan's gate, met")
        submit(browser, gate.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert element(browser, "p.notice").text == "Fasen är godkänd."
    with session_scope() as session:
        approved = session.execute(select(col(PhaseInstance.completed_on)).where(
            col(PhaseInstance.area_id) == AREA, col(PhaseInstance.phase_id) == "handlingsplan")).scalar_one()
    assert approved == PLAN_ON


def test_a_programmes_implementation_is_reported_with_its_fidelity_verdict_on_a_phone(port: int) -> None:
    from ctcflow.app.plans import plan_programme
    from ctcflow.app.survey import record_decision

    record_decision(AREA, "2019", FACTORS, by="team_bellevue", as_of=DECIDE_ON, note=None)
    complete("prioritering", date(2019, 6, 3))
    approve_phase(AREA, "prioritering", by="styrgrupp_bellevue", as_of=date(2019, 6, 4), note=None)
    plan_programme(AREA, "konflikter_i_familjen", "komet", by="team_bellevue", as_of=PLAN_ON, note=None)
    with web_server(port, as_of=date(2019, 12, 20)) as url, chromium(width=390, height=844) as browser:
        follow_link(browser, Links().login("ul_bellevue"))
        browser.get(f"{url}/omrade/{AREA}/plan#genomforande")
        card = element(browser, "#genomforande-komet")
        card.find_element(By.TAG_NAME, "summary").click()
        browser.execute_script("document.getElementById('period_end-komet').value = '2019-12-15'")
        for field, value in (("sessions_planned", "10"), ("sessions_held", "8"), ("participants", "14"),
                             ("adherence", "120")):
            browser.find_element(By.ID, f"{field}-komet").send_keys(value)
        submit(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert element(browser, "#err-adherence-komet").text.startswith("Ange följsamheten i procent")
        adherence = browser.find_element(By.ID, "adherence-komet")
        assert adherence.get_attribute("value") == "120" and adherence.get_attribute("aria-invalid") == "true"
        assert browser.find_element(By.ID, "participants-komet").get_attribute("value") == "14"
        assert_accessible(browser, "a refused implementation period, on a phone")
        adherence.clear()
        adherence.send_keys("55 %")
        participants = browser.find_element(By.ID, "participants-komet")
        participants.clear()
        participants.send_keys("1" + "0" * 30)  # more than any programme: refused by its field, never a 500
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#genomforande-komet button[type=submit]"))
        assert element(browser, "#err-participants-komet").text.startswith("Talet är större än det kan vara")
        browser.find_element(By.ID, "participants-komet").clear()
        browser.find_element(By.ID, "participants-komet").send_keys("14")
        planned = browser.find_element(By.ID, "sessions_planned-komet")
        planned.clear()
        planned.send_keys("1" + "0" * 20)  # a 21-digit count of sessions: beside its own field, the rest kept
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#genomforande-komet button[type=submit]"))
        assert element(browser, "#err-sessions_planned-komet").text.startswith("Talet är större än det kan vara")
        assert browser.find_element(By.ID, "participants-komet").get_attribute("value") == "14"
        browser.find_element(By.ID, "sessions_planned-komet").clear()
        browser.find_element(By.ID, "sessions_planned-komet").send_keys("10")
        browser.execute_script("document.getElementById('period_end-komet').value = '2010-06-30'")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#genomforande-komet button[type=submit]"))
        assert element(browser, "#err-period_end-komet").text.startswith("Perioden måste sluta efter att programmet")
        browser.execute_script("document.getElementById('period_end-komet').value = '2019-12-15'")
        submit(browser, browser.find_element(By.CSS_SELECTOR, "#genomforande-komet button[type=submit]"))
        row = element(browser, "#genomforande-komet tbody tr").text
        assert "8 av 10" in row and "55 %" in row and "Under programmets krav" in row
        assert fits(browser)
        assert_accessible(browser, "the implementation table, on a phone")
        shot(browser, "plan-fidelity-phone")
    with session_scope() as session:
        [record] = session.execute(select(ImplementationRecord)).scalars()
    assert (record.sessions_held, record.participants, record.adherence, record.recorded_by) == (8, 14, 0.55,
                                                                                                 "ul_bellevue")


def test_the_effects_show_as_a_chart_on_the_profile_and_a_trend_on_the_overview(port: int, tmp_path: Path) -> None:
    """After the team's decision the family-conflict factor it chose falls well below the city's
    course while its other factors stay: the overview's small trend for the area falls, and its
    profile charts each factor against the rest of the city with Komet's period shaded between
    the waves it ran between, the verdicts said in words."""
    from ctcflow.app.plans import implementation, plan_programme
    from ctcflow.app.survey import import_wave, record_decision

    record_decision(AREA, "2019", FACTORS, by="team_bellevue", as_of=DECIDE_ON, note=None)
    complete("prioritering", date(2019, 6, 3))
    approve_phase(AREA, "prioritering", by="styrgrupp_bellevue", as_of=date(2019, 6, 4), note=None)
    plan_programme(AREA, "konflikter_i_familjen", "komet", by="team_bellevue", as_of=PLAN_ON, note=None)
    implementation(AREA, "komet", period_end=date(2020, 12, 15), sessions_planned=10, sessions_held=9,
                   participants=12, adherence=0.8, by="ul_bellevue", as_of=date(2020, 12, 18), note=None)
    for year, share in ((2021, 0.30), (2023, 0.20)):
        path = tmp_path / f"enkat{year}.csv"
        plan = Plan(pupils=3000, seed=year, planted={AREA: FACTORS}, levels={AREA: {"konflikter_i_familjen": share}})
        write_export(synthetic_wave(load_survey(), load_definitions().org, plan), str(path))
        import_wave(str(year), path, date(year, 3, 20))
    with web_server(port, as_of=date(2024, 4, 30)) as url, chromium() as browser:
        follow_link(browser, Links().login("samordnare"))
        browser.get(f"{url}/oversikt")
        trend = element(browser, f"tr[data-area={AREA}] svg.gap")
        said = trend.get_attribute("aria-label") or ""
        gaps = [float(g.replace("−", "-").replace(",", ".")) for g in re.findall(r"20\d\d ([+−]\d+,\d)", said)]
        assert said.startswith("Områdets prioriterade faktorer mot jämförelsen") and len(gaps) == 3
        assert gaps[0] > 10 and gaps[2] < gaps[0] - 8  # well above the comparison at first, then much closer
        assert_accessible(browser, "the overview with the effects trend")
        element(browser, f"tr[data-area={AREA}] a[href$='/profil#effekter']").click()
        figures = {f.find_element(By.TAG_NAME, "strong").text: f for f in browser.find_elements(
            By.CSS_SELECTOR, "figure.effect")}
        family = figures["Konflikter i familjen"]
        assert "Förbättrades mer än jämförelsen (tydligt)" in family.text
        assert "Ingen tydlig skillnad" in figures["Låg motivation och anknytning till skolan"].text
        chart = family.find_element(By.TAG_NAME, "svg")
        label = chart.get_attribute("aria-label") or ""
        assert "Området: 2019:" in label and "resten av staden: 2019:" in label
        assert "Komet 2019-06-10 – 2020-12-15" in label
        points = sorted(float(c.get_attribute("cx") or "nan") for c in chart.find_elements(By.TAG_NAME, "circle"))
        shade = [r for r in chart.find_elements(By.TAG_NAME, "rect") if r.get_attribute("fill-opacity")]
        assert len(points) == 3 and len(shade) == 1
        start = float(shade[0].get_attribute("x") or "nan")
        assert points[0] < start < start + float(shade[0].get_attribute("width") or "nan") < points[1]
        table = element(browser, "#effekter table").text
        assert "Alkoholdebut (utfall)" in table
        assert_accessible(browser, "the area profile with its effects")
        browser.execute_script("document.getElementById('effekter').scrollIntoView()")
        shot(browser, "profile-effects")

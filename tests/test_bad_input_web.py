"""Bad input on the pages, as a hurried person types it into a form or picks the wrong file: every
case is answered with a page of the app in Swedish (never a 500, never a bare 422), the refusal
said on the page — next to its field, or as the file's list of problems — and nothing written.

One server for the whole corpus; the coordinator signs in once, through a link as from a mail.
Each case posts one form with the page's own token, as the browser would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.app.survey import import_wave
from ctcflow.core.links import Links
from db.engine import session_scope
from db.models import MilestoneInstance
from tests.test_bad_input import csv_bytes, database_hash, wave, wave_with, workbook
from tests.test_survey_web import url  # noqa: F401 — the fixture: a city set up, its pages served

pytestmark = pytest.mark.slow  # the pages served and driven form by form


HERMODSDAL = "hermodsdal_nydala_gullviksborg"
PLAN = f"/omrade/{HERMODSDAL}/plan"
SESSIONS = frozenset({"web_session", "web_token_use", "web_feed"})  # who is signed in: not what a form writes
COST = {"year": "2023", "administration": "stadskontoret", "area": "", "amount": "5000", "category": "", "note": ""}
PERSON = {"name": "Sara Lind", "email": "sara.lind@example.se", "role": "utvecklingsledare", "area": HERMODSDAL,
          "sector": "", "lang": "sv", "start": "2019-04-01", "replaces": ""}
PROGRAMME = {"factor": "konflikter_i_familjen", "programme": "komet", "note": "", "responsible": "",
             "starts_on": "2019-09-01", "ends_on": "2020-06-30", "budget": "100000"}


@dataclass(frozen=True)
class WebCase:
    name: str
    page: str  # the page the form is on (its token is taken from there)
    action: str
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] | None = None


def costs(**changed: str) -> dict[str, str]:
    return {**COST, **changed}


def person(**changed: str) -> dict[str, str]:
    return {**PERSON, **changed}


def programme(**changed: str) -> dict[str, str]:
    return {**PROGRAMME, **changed}


def sheet(*lines: str) -> dict[str, tuple[str, bytes]]:
    return {"document": ("kostnader.csv", ("år;område;förvaltning;belopp\n" + "\n".join(lines) + "\n").encode())}


def survey_file(name: str, content: bytes) -> dict[str, tuple[str, bytes]]:
    return {"document": (name, content)}


CASES: list[WebCase] = [
    *(WebCase(f"a cost with the year {year!r}", "/kostnader", "/kostnader/ny", costs(year=year))
      for year in ["", "i fjol", "1999", "2099", "20233", "-2020", "2023,5", "0"]),
    *(WebCase(f"a cost of {amount!r}", "/kostnader", "/kostnader/ny", costs(amount=amount))
      for amount in ["", "en miljon", "-5", "1e400", "NaN", "9" * 40, "5000 dollar", "inf", "1/2"]),
    WebCase("a cost for an unknown administration", "/kostnader", "/kostnader/ny", costs(administration="socialen")),
    WebCase("a cost without an administration", "/kostnader", "/kostnader/ny", costs(administration="")),
    WebCase("a cost for an unknown area", "/kostnader", "/kostnader/ny", costs(area="mollan")),
    WebCase("a cost note of 100,000 characters", "/kostnader", "/kostnader/ny", costs(note="x" * 100_000)),
    WebCase("a cost sheet that is empty", "/kostnader", "/kostnader/fil", files={"document": ("k.csv", b"")}),
    WebCase("a cost sheet of binary", "/kostnader", "/kostnader/fil", files={"document": ("k.csv", bytes(range(256)))}),
    WebCase("a cost sheet that is a PDF", "/kostnader", "/kostnader/fil", files={"document": ("k.pdf", b"%PDF-1.4\n")}),
    WebCase("a cost sheet with a header only", "/kostnader", "/kostnader/fil", files=sheet()),
    WebCase("a cost sheet with an unknown administration", "/kostnader", "/kostnader/fil",
            files=sheet("2023;;socialen;5000")),
    WebCase("a cost sheet with a negative amount", "/kostnader", "/kostnader/fil", files=sheet("2023;;stadskontoret;-5")),
    WebCase("a cost sheet for 2099", "/kostnader", "/kostnader/fil", files=sheet("2099;;stadskontoret;5000")),
    WebCase("a cost sheet with an amount in words", "/kostnader", "/kostnader/fil",
            files=sheet("2023;;stadskontoret;femtusen")),
    WebCase("a cost sheet for an unknown area", "/kostnader", "/kostnader/fil",
            files=sheet("2023;Mollan;stadskontoret;5000")),
    WebCase("a cost sheet without an amount column", "/kostnader", "/kostnader/fil",
            files={"document": ("k.csv", "år;förvaltning\n2023;stadskontoret\n".encode())}),
    WebCase("a cost sheet on two sheets", "/kostnader", "/kostnader/fil",
            files={"document": ("k.xlsx", workbook({
                "A": pd.DataFrame({"år": [2023], "förvaltning": ["stadskontoret"], "belopp": [1]}),
                "B": pd.DataFrame({"år": [2022], "förvaltning": ["stadskontoret"], "belopp": [2]})}))}),
    WebCase("no cost sheet at all", "/kostnader", "/kostnader/fil"),
    *(WebCase(f"a person named {name[:20]!r}", "/personer", "/personer/ny", person(name=name))
      for name in ["", "   ", "A" * 10_000]),
    *(WebCase(f"a person with the e-mail {email!r}", "/personer", "/personer/ny", person(email=email))
      for email in ["", "sara.lind", "sara@", "@example.se", "sara lind@example.se"]),
    *(WebCase(f"a person starting {start!r}", "/personer", "/personer/ny", person(start=start))
      for start in ["", "igår", "2019-02-30", "9999-12-31", "01/04/2019", "2035-01-01"]),
    WebCase("a person with an unknown role", "/personer", "/personer/ny", person(role="chef")),
    WebCase("a person without a role", "/personer", "/personer/ny", person(role="")),
    WebCase("a person in an unknown area", "/personer", "/personer/ny", person(area="mollan")),
    WebCase("a person replacing someone unknown", "/personer", "/personer/ny", person(replaces="anna")),
    *(WebCase(f"a last day {last!r}", "/personer", "/personer/ul_hermodsdal/slutar", {"last_day": last})
      for last in ["", "snart", "2019-13-01", "1999-01-01"]),
    WebCase("a last day for someone unknown", "/personer", "/personer/anna/slutar", {"last_day": "2019-04-30"}),
    *(WebCase(f"a survey wave named {name[:24]!r}", "/enkater", "/enkater", {"wave": name},
              survey_file("e.csv", csv_bytes(wave(40))))
      for name in ["", "2021/22", "ht 2021", "a" * 30, "../2021", "2021;drop"]),
    WebCase("a survey without a file", "/enkater", "/enkater", {"wave": "2023"}),
    WebCase("a survey file that is empty", "/enkater", "/enkater", {"wave": "2023"}, survey_file("e.csv", b"")),
    WebCase("a survey file that is a PDF", "/enkater", "/enkater", {"wave": "2023"},
            survey_file("e.pdf", b"%PDF-1.4\n")),
    WebCase("a survey file of binary", "/enkater", "/enkater", {"wave": "2023"},
            survey_file("e.csv", bytes(range(256)) * 40)),
    WebCase("a survey file with a header only", "/enkater", "/enkater", {"wave": "2023"},
            survey_file("e.csv", csv_bytes(wave(40).iloc[:0]))),
    WebCase("a survey file with an answer off the scale", "/enkater", "/enkater", {"wave": "2023"},
            survey_file("e.csv", csv_bytes(wave_with(3, "konflikter_i_familjen_2", "7")))),
    WebCase("a survey file with a personnummer column", "/enkater", "/enkater", {"wave": "2023"},
            survey_file("e.csv", csv_bytes(wave(40).assign(Personnummer="811218-9876")))),
    WebCase("a survey file without the gender column", "/enkater", "/enkater", {"wave": "2023"},
            survey_file("e.csv", csv_bytes(wave(40).drop(columns=["kon"])))),
    WebCase("a survey wave already imported, not to be replaced", "/enkater", "/enkater", {"wave": "2019"},
            survey_file("e.csv", csv_bytes(wave(40)))),
    WebCase("a survey re-import with far fewer answers", "/enkater", "/enkater",
            {"wave": "2019", "replace": "1"}, survey_file("e.csv", csv_bytes(wave(40)))),
    WebCase("priorities on no wave", PLAN, f"{PLAN}/prioriteringar",
            {"wave": "", "factors": "konflikter_i_familjen"}),
    WebCase("priorities on a wave not imported", PLAN, f"{PLAN}/prioriteringar",
            {"wave": "2017", "factors": "konflikter_i_familjen"}),
    WebCase("one priority", PLAN, f"{PLAN}/prioriteringar", {"wave": "2019", "factors": "konflikter_i_familjen"}),
    WebCase("a priority that is no factor", PLAN, f"{PLAN}/prioriteringar", {"wave": "2019", "factors": "mobbning"}),
    WebCase("a goal without a subject", PLAN, f"{PLAN}/mal", {"subject": "", "target": "20", "where": ""}),
    WebCase("a goal of a target in words", PLAN, f"{PLAN}/mal",
            {"subject": "konflikter_i_familjen", "target": "mycket lägre", "where": ""}),
    WebCase("a programme that is not in the catalogue", PLAN, f"{PLAN}/program", programme(programme="okänt")),
    WebCase("a programme for no factor", PLAN, f"{PLAN}/program", programme(factor="")),
    WebCase("a programme starting in words", PLAN, f"{PLAN}/program", programme(starts_on="i höst")),
    WebCase("a programme ending before it starts", PLAN, f"{PLAN}/program", programme(ends_on="2019-01-01")),
    WebCase("a programme ending in 2099", PLAN, f"{PLAN}/program", programme(ends_on="2099-06-30")),
    WebCase("a programme starting in 2010", PLAN, f"{PLAN}/program", programme(starts_on="2010-01-01")),
    WebCase("a programme budget below zero", PLAN, f"{PLAN}/program", programme(budget="-5")),
    WebCase("a programme budget in words", PLAN, f"{PLAN}/program", programme(budget="mycket")),
    WebCase("a programme budget of 40 digits", PLAN, f"{PLAN}/program", programme(budget="9" * 40)),
    *(WebCase(f"an acknowledgement until {until!r}", "/oversikt", "/kvittera",
              {"topic": "report:ks:2020", "plan": "Jag ringer", "until": until})
      for until in ["", "snart", "2019-02-30", "2018-01-01"]),
    WebCase("an acknowledgement without a plan", "/oversikt", "/kvittera",
            {"topic": "report:ks:2020", "plan": "", "until": "2019-04-01"}),
    WebCase("an acknowledgement of nothing", "/oversikt", "/kvittera", {"topic": "", "plan": "x", "until": "2019-04-01"}),
    WebCase("a milestone that does not exist marked done", f"/omrade/{HERMODSDAL}",
            f"/omrade/{HERMODSDAL}/klar/999999"),
    WebCase("a milestone of another area marked done", f"/omrade/{HERMODSDAL}", "/omrade/mollan/klar/1"),
    WebCase("a phase that does not exist approved", f"/omrade/{HERMODSDAL}", f"/omrade/{HERMODSDAL}/godkann/fas"),
    WebCase("an undo of a milestone never done", f"/omrade/{HERMODSDAL}", f"/omrade/{HERMODSDAL}/angra/999999"),
    WebCase("a report sent for the year 3000", "/rapporter", "/rapport/ks/3000/skicka"),
    WebCase("a report sent for a year of 20 digits", "/rapporter", f"/rapport/ks/{'9' * 20}/skicka"),
    WebCase("a milestone numbered beyond any row marked done", f"/omrade/{HERMODSDAL}",
            f"/omrade/{HERMODSDAL}/klar/{'9' * 20}"),
    WebCase("a milestone numbered beyond any row undone", f"/omrade/{HERMODSDAL}",
            f"/omrade/{HERMODSDAL}/angra/{'9' * 20}"),
    WebCase("a phase approved in a round of 25 digits", f"/omrade/{HERMODSDAL}",
            f"/omrade/{HERMODSDAL}/godkann/mobilisering", {"cycle": "9" * 25}),
    WebCase("an unknown report sent", "/rapporter", "/rapport/kf/2020/skicka"),
]


def domain_hash() -> str:
    """Every row of every table a form could write (who is signed in aside)."""
    return database_hash(SESSIONS)


def token_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found[1]


def signed_in(base: str, link: str) -> httpx.Client:
    """A client signed in through a link, as from a mail. The app's cookies are Secure; a browser
    keeps them on 127.0.0.1 as a secure context, so the client keeps them for it too."""
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
    opened = client.get(link)
    keep(client, opened)
    action = re.search(r'<form method="post" action="([^"]+)"', opened.text)
    assert action, opened.text[:500]
    answer = client.post(action[1], data={"csrf": token_of(opened.text)})
    keep(client, answer)
    client.follow_redirects = True
    return client


def keep(client: httpx.Client, response: httpx.Response) -> None:
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        client.cookies.set(name.strip(), rest.split(";")[0])


def said(page: str) -> str:
    """What the page tells the person: its alerts, field errors and problem list, as text."""
    parts = re.findall(r'<(?:p|div|section)[^>]*(?:role="alert"|class="field-error"|id="problem-list")[^>]*>(.*?)'
                       r'</(?:p|div|section)>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", part) for part in parts).strip()


def test_bad_input_on_the_pages_is_said_in_swedish_beside_its_field_and_changes_nothing(
        url: str, tmp_path: Path) -> None:  # noqa: F811
    first = tmp_path / "enkat-2019.csv"
    first.write_bytes(csv_bytes(wave(600)))
    import_wave("2019", first, date(2019, 3, 20))
    client = signed_in(url, Links().login("samordnare"))
    failures: list[str] = []
    for case in CASES:
        page = client.get(case.page)
        before = domain_hash()
        form = {"csrf": token_of(page.text), **case.form}
        answer = client.post(case.action, data=form, files=case.files)
        text = answer.text
        message = said(text)
        if answer.status_code >= 500 or answer.status_code < 400:
            failures.append(f"{case.name}: answered {answer.status_code}")
        elif not message:
            failures.append(f"{case.name}: {answer.status_code} with nothing said on the page")
        elif '<html lang="sv"' not in text:
            failures.append(f"{case.name}: not a Swedish page")
        if domain_hash() != before:
            failures.append(f"{case.name}: something was written")
    assert len(CASES) >= 80
    assert failures == [], "\n".join(failures)


def test_the_people_routes_hold_to_the_sessions_scope_and_the_role(url: str) -> None:  # noqa: F811
    """A coordinator signed in from one milestone's reminder may do what the link is about, not
    add or end people; a development leader may not at all — a 403 page each, nothing written."""
    with session_scope() as session:
        milestone = session.execute(select(col(MilestoneInstance.id)).where(
            col(MilestoneInstance.area_id) == HERMODSDAL, col(MilestoneInstance.status) == "open")).scalars().first()
    assert milestone is not None
    scoped = signed_in(url, Links().milestone("samordnare", HERMODSDAL, milestone))
    leader = signed_in(url, Links().login("ul_hermodsdal"))
    for client, says in ((scoped, "Länken gäller något annat"), (leader, "")):
        token = token_of(client.get(f"/omrade/{HERMODSDAL}").text)
        before = domain_hash()
        for action, form in (("/personer/ny", person()), ("/personer/ul_hermodsdal/slutar", {"last_day": "2019-04-30"})):
            answer = client.post(action, data={"csrf": token, **form})
            assert answer.status_code == 403 and '<html lang="sv"' in answer.text, (action, answer.status_code)
            assert says in answer.text
        assert domain_hash() == before


def test_numbers_in_addresses_beyond_any_row_are_the_wrong_address_page(url: str) -> None:  # noqa: F811
    """A milestone, report or file numbered beyond what a database integer holds: the page that
    says the address cannot be right — never a failed query (500)."""
    client = signed_in(url, Links().login("samordnare"))
    huge = "9" * 20
    for path in (f"/rapporter/{huge}", f"/omrade/{HERMODSDAL}/angra/{huge}", f"/omrade/{HERMODSDAL}?klar={huge}",
                 f"/rapport/ks/{huge}", f"/rapport/ks/{huge}/forhandsvisning"):
        answer = client.get(path)
        assert answer.status_code == 400 and "Felaktig adress" in answer.text, (path, answer.status_code)

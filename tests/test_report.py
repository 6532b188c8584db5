"""The report to KS: Malmö's five areas replayed 2018–2024 (the demo, once for this module) with
the 2022 report never made — as in Malmö's history — and the 2020 and 2024 reports sent by the
ks-report job on their due dates. Then the reports are rendered from that history and checked:
content and gaps, identical bytes, the PDF's pages and text, the HTML in a real Chromium."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pypdf
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.cli.main import main
from ctcflow.core import calendar
from ctcflow.core.config import reset_settings
from ctcflow.definition.loader import load_definitions
from db.engine import session_scope
from db.models import CostEntry, Notification, ReportArchive
from demo.mailserver import LocalMailServer, maildir_mails
from tests.browser import chromium, fits
from tests.conftest import Project, environment, snapshot_of

DUE_2022 = date(2022, 5, 2)  # "on 04-30": a Saturday in 2022, so the next working day


@pytest.fixture(scope="module")
def malmo(replay_2024: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the 2018–2024 replay's database and mail folder; the settings point at it for
    the module."""
    workdir = snapshot_of(replay_2024, tmp_path_factory.mktemp("malmo") / "demo")
    with environment({"CTC_DATA_DIR": str(workdir), "CTC_DATABASE_URL": None}):
        yield workdir


def _report_notices(occasion: str) -> list[Notification]:
    with session_scope() as session:
        return list(session.execute(select(Notification).where(col(Notification.key).like(f"report/ks/{occasion}/%"))
                                    .order_by(col(Notification.as_of), col(Notification.key))).scalars())


def test_the_missing_2022_report_is_reminded_escalated_and_never_forgotten(malmo: Path) -> None:
    notices = _report_notices("2022")
    days = {kind: sorted({n.as_of for n in notices if n.kind == kind}) for kind in {n.kind for n in notices}}
    # phases.yml: reminders 10 and 3 working days before, the due day, overdue every 5 working
    # days, the report ladder up to the board — the avdelningschef 1 working day late, the
    # director after 5, the board's secretariat after 10; gaps told 20 and 10 working days before.
    assert days["report_reminder"] == [calendar.add_business_days(DUE_2022, -10),
                                       calendar.add_business_days(DUE_2022, -3)]
    assert days["report_due"] == [DUE_2022]
    climbed = sorted((n.as_of, n.recipient) for n in notices if n.kind == "report_escalation")
    assert climbed[:3] == [(calendar.add_business_days(DUE_2022, 1), "avdelningschef"),
                           (calendar.add_business_days(DUE_2022, 5), "direktor"),
                           (calendar.add_business_days(DUE_2022, 10), "ks_kansli")]
    # the top of the ladder is reminded every remind_top_every working days while the report is
    # missing — asked each time to decide when it is to be delivered — and never after it went out
    every = load_definitions().process.notification_policy.remind_top_every
    reminders = climbed[3:]
    assert reminders and reminders == [(calendar.add_business_days(DUE_2022, 10 + every * k), "ks_kansli")
                                       for k in range(1, len(reminders) + 1)]
    assert reminders[-1][0] < date(2024, 1, 2) <= calendar.add_business_days(reminders[-1][0], every)
    last = max((n for n in notices if n.kind == "report_escalation"), key=lambda n: n.as_of)
    assert f"Det här är påminnelse {len(reminders)}" in last.body and "Kommunstyrelsen ombeds" in last.body
    overdue = days["report_overdue"]
    assert overdue[:3] == [calendar.add_business_days(DUE_2022, n) for n in (1, 6, 11)]
    # repeated until it went out: the demo's report job was off 2021–2023 and sent it the first
    # working day it ran again
    assert overdue[-1] == date(2023, 12, 29) and len(overdue) > 80
    assert days["report_gap"] == [calendar.add_business_days(DUE_2022, -20), calendar.add_business_days(DUE_2022, -10)]
    gap_recipients = {n.recipient for n in notices if n.kind == "report_gap"}
    assert {"samordnare", "ul_bellevue", "ul_mollevangen"} <= gap_recipients  # the owner and those who owe
    owner_gaps = next(n for n in notices if n.kind == "report_gap" and n.recipient == "samordnare")
    assert "Inga kostnader" not in owner_gaps.body and "Kostnader 2020" in owner_gaps.body
    assert "Boendemedverkan (Utvecklingsledare: Utvecklingsledare Bellevuegården)" in owner_gaps.body
    assert all(n.status in ("sent", "briefed") for n in notices)
    with session_scope() as session:
        sent_on = session.execute(select(col(ReportArchive.sent_on)).where(col(ReportArchive.occasion) == "2022",
                                                                      col(ReportArchive.sent_on).is_not(None))).scalars()
        assert set(sent_on) == {date(2024, 1, 2)}


def test_the_2020_and_2024_reports_went_to_ks_on_their_due_dates_with_the_pdf(malmo: Path) -> None:
    with session_scope() as session:
        sent = session.execute(select(col(ReportArchive.occasion), col(ReportArchive.format), col(ReportArchive.sent_on),
                                      col(ReportArchive.sent_to), col(ReportArchive.sha256))
                               .where(col(ReportArchive.sent_on).is_not(None))).all()
    by_occasion = {(o, f): (on, to, sha) for o, f, on, to, sha in sent}
    assert by_occasion[("2020", "pdf")][0] == date(2020, 4, 30)
    assert by_occasion[("2024", "pdf")][0] == date(2024, 4, 30)
    assert "ks_kansli" in by_occasion[("2024", "pdf")][1].split(",")
    # no reminder about a report once it was sent, and none escalated
    assert not [n for n in _report_notices("2024") if n.kind in ("report_escalation", "report_overdue")]
    mails = maildir_mails(malmo / "mail")
    to_ks = [m for m in mails if str(m["To"]).startswith("ks_kansli@") and "2022–2023" in str(m["Subject"])]
    assert len(to_ks) == 1
    attachments = [part for part in to_ks[0].iter_attachments()]
    assert [a.get_filename() for a in attachments] == ["ks-rapport-2024-2024-04-30-sv.pdf"]
    content = attachments[0].get_content()
    assert hashlib.sha256(content).hexdigest() == by_occasion[("2024", "pdf")][2]
    assert content.startswith(b"%PDF")


def _render(tmp: Path, *args: str) -> dict[str, bytes]:
    assert main(["report", *args, "--out", str(tmp)]) == 0
    return {p.suffix[1:]: p.read_bytes() for p in tmp.iterdir()}


def test_the_2022_report_states_every_gap_and_who_owed_it(malmo: Path, tmp_path: Path) -> None:
    files = _render(tmp_path, "ks", "--period", "2022", "--as-of", "2022-05-10")
    html = files["html"].decode()
    for heading in ("Sammanfattning", "Förslag till beslut", "Ärendet", "Ansvariga"):
        assert f"<h2>{heading}</h2>" in html
    assert "<h3>Ekonomi</h3>" in html
    assert "lämnades" not in html.split("</main>")[0]  # the 2020 report went out on time
    # a bilaga per planned area, in the order of their names: the five running and the nine
    # planned for 2021 that never started
    for number, area in enumerate(sorted(a.name for a in load_definitions().org.areas), start=1):
        assert f"<h2>Bilaga {number}: {area}</h2>" in html
    assert "CTC bedrivs i 5 av 14 planerade områden." in html
    # nothing was recorded for 2020–2021: every mandated section says so and names who owed it
    assert html.count("Hänsyn till rasismens och sexismens konsekvenser</h3>") == 14
    assert "Uppgiften skulle ha lämnats av Utvecklingsledare (Utvecklingsledare Bellevuegården)." in html
    assert "Inga kostnader redovisade för 2020." in html and "Inga kostnader redovisade för 2021." in html
    # a year nobody reported a cost for is not "0 kr": not in an area, not in the city's total
    area_costs = html.split("Kostnader för området</h3>", 1)[1].split("</p>", 1)[0]
    assert "2020: <span class=\"gap\">inga kostnader redovisade</span>" in area_costs and " 0 kr" not in area_costs
    economy = html.split("<h3>Ekonomi</h3>", 1)[1].split("<h2>", 1)[0]
    assert "2020: inga kostnader redovisade." in economy and "2021: inga kostnader redovisade." in economy
    assert ">0<" not in economy and " 0 kr" not in economy
    gaps = html.split('id="bilaga-luckor"', 1)[1].split("</section>", 1)[0].count("<tr><td>")
    said = re.search(r"Redovisningen saknar (\d+) obligatoriska uppgifter", html)
    assert said and int(said.group(1)) == gaps > 17  # the gap list names each gap once
    # the two areas whose input never came: the gap, not a silent blank
    assert html.count("Områdets underlag skulle ha lämnats senast 2022-03-31.") >= 2
    assert "att uppdra åt Stadskontoret att komplettera redovisningen" in html
    md = files["md"].decode()
    assert "## Förslag till beslut" in md and "> **Inget redovisat.** Uppgiften skulle ha lämnats av" in md
    assert "data:image/svg+xml;base64," in md


def test_the_2024_report_shows_what_was_recorded(malmo: Path, tmp_path: Path) -> None:
    files = _render(tmp_path, "ks", "--period", "2024", "--as-of", "2024-04-30", "--format", "html")
    html = files["html"].decode()
    with session_scope() as session:
        costs_2023 = sum(session.execute(select(col(CostEntry.amount_ore)).where(col(CostEntry.year) == 2023)).scalars())
    assert costs_2023 > 0
    whole = f"{round(costs_2023 / 100):,}".replace(",", "\u00a0")
    assert f"2023: {whole} kr redovisat." in html  # the Ekonomi's total for 2023
    assert "Boendedialog och boende i områdesteamet (Bellevuegården/Lorensborg, 2022)" in html
    assert "Inga kostnader redovisade" not in html
    assert "Boendemedverkan</h3>\n<p class=\"gap\">" not in html
    # what failed comes first: the 2022 report went out 610 days late (the job was off 2021–2023)
    summary = html.split("<h2>Sammanfattning</h2>", 1)[1].split("<h2>", 1)[0]
    assert summary.lstrip().startswith('<div class="summary"><p>Redovisningen för 2022 lämnades 610 dagar för sent.')
    assert "<td>Arbetsmarknads- och socialförvaltningen</td>" in html  # area costs under their administration
    # a timeline per area, and in the paper the period's milestones and the costs per year
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 14 + 2


def test_rendering_the_same_period_and_day_twice_gives_identical_bytes(malmo: Path, tmp_path: Path) -> None:
    first = _render(tmp_path / "a", "ks", "--period", "2022", "--as-of", "2022-06-01")
    second = _render(tmp_path / "b", "ks", "--period", "2022", "--as-of", "2022-06-01")
    assert set(first) == {"html", "pdf", "md"} and first == second
    with session_scope() as session:
        rows = session.execute(select(col(ReportArchive.format), col(ReportArchive.sha256)).where(
            col(ReportArchive.as_of) == date(2022, 6, 1), col(ReportArchive.scope) == "city")).all()
    assert sorted(rows) == sorted((fmt, hashlib.sha256(content).hexdigest()) for fmt, content in first.items())


def test_the_pdf_has_a_page_per_area_and_the_report_text(malmo: Path, tmp_path: Path) -> None:
    pdf = pypdf.PdfReader(io.BytesIO(_render(tmp_path, "ks", "--period", "2022", "--as-of", "2022-05-10",
                                             "--format", "pdf")["pdf"]))
    pages = [page.extract_text() for page in pdf.pages]
    assert 1 + 14 < len(pages) < 150  # the paper, then a bilaga per area and the lists
    assert "Tjänsteskrivelse" in pages[0] and "Sammanfattning" in pages[0]
    assert f"1 ({len(pages)})" in pages[0]  # page numbers with the page count
    starts = [next(i for i, text in enumerate(pages) if text.lstrip().startswith(f"Bilaga {n}: {area}"))
              for n, area in enumerate(sorted(a.name for a in load_definitions().org.areas), start=1)
              if area in ("Bellevuegården/Lorensborg", "Möllevången/Rådmansvången/Södervärn")]
    assert 1 <= starts[0] < starts[1]  # each bilaga starts a page, after the paper
    text = "\n".join(pages)
    assert "Ekonomi" in text and "Bilaga 15: Luckor i redovisningen" in text and "Inget redovisat." in text


def test_a_pdf_printed_in_chunks_is_the_same_document_numbered_through(malmo: Path, tmp_path: Path) -> None:
    """A big city's PDF is printed in pieces on several processes and joined: cut after every area
    (six pieces here), it has the same pages with the same text as the report printed whole, and
    the page numbers run through the joined document — the test that a 4,000-area report's pages
    are right without printing 10,000 pages."""
    from ctcflow.report.pdf import pdf_from_html

    html = _render(tmp_path, "ks", "--period", "2022", "--as-of", "2022-05-10", "--format", "html")["html"].decode()
    whole, pieces = (pypdf.PdfReader(io.BytesIO(pdf_from_html(html, per_chunk=n))) for n in (1000, 1))
    assert len(pieces.pages) == len(whole.pages) > 6
    for number, (a, b) in enumerate(zip(whole.pages, pieces.pages, strict=True), start=1):
        assert a.extract_text() == b.extract_text()
        assert a.extract_text().rstrip().endswith(f"{number} ({len(whole.pages)})")
    # tagged throughout, as the whole: the same structure, every page's marked content found
    # through the parent tree on that page (a screen reader reads the joined PDF as the whole)
    assert _structure(pieces) == _structure(whole)
    assert _pages_found(pieces) == list(range(len(pieces.pages)))


def _structure(pdf: pypdf.PdfReader) -> list[str]:
    """The structure elements' types in reading order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                found.append(str(node["/S"]))
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
                walk(kid)

    root: Any = pdf.trailer["/Root"]
    walk(root["/StructTreeRoot"])
    return found


def _pages_found(pdf: pypdf.PdfReader) -> list[int]:
    """The pages whose /StructParents key leads, through the parent tree, to elements on that page."""
    root: Any = pdf.trailer["/Root"]
    nums: Any = root["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
    tree = {int(nums[i]): nums[i + 1].get_object() for i in range(0, len(nums), 2)}
    found = []
    for index, page in enumerate(pdf.pages):
        marks: Any = page
        elements = tree.get(int(marks["/StructParents"]), [])
        if elements and all(e.get_object().raw_get("/Pg").idnum == marks.indirect_reference.idnum
                            for e in elements if e is not None and "/Pg" in e.get_object()):
            found.append(index)
    return found


def test_the_report_renders_in_a_real_chromium(malmo: Path, tmp_path: Path) -> None:
    html = tmp_path / "ks.html"
    html.write_bytes(_render(tmp_path / "files", "ks", "--period", "2022", "--as-of", "2022-05-10",
                             "--format", "html")["html"])
    with chromium() as browser:
        browser.get(html.as_uri())
        assert browser.title.startswith("Communities That Care i Malmö")
        headings = browser.execute_script("return [...document.querySelectorAll('h2')].map(h => h.innerText)")
        charts = browser.execute_script("return [...document.querySelectorAll('svg')]"
                                        ".map(s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height])")
        gaps = browser.execute_script("return document.querySelectorAll('.gap').length")
        shot = tmp_path / "ks-report.png"
        assert browser.save_screenshot(str(shot))
        browser.set_window_size(390, 844)  # on a phone: long area names wrap, nothing runs off the side
        browser.get(html.as_uri())
        assert fits(browser)
    assert headings[:7] == ["Sammanfattning", "Förslag till beslut", "Beslutsunderlag", "Beslutsplanering",
                            "Beslutet skickas till", "Ärendet", "Ansvariga"]
    assert headings[7:] == [f"Bilaga {n}: {a.name}" for n, a in enumerate(
        sorted(load_definitions().org.areas, key=lambda a: a.name), start=1)] + [
        "Bilaga 15: Luckor i redovisningen och vem som skulle ha lämnat uppgiften",
        "Bilaga 16: Eskaleringar och hur de står", "Bilaga 17: Områdenas underlag"]
    assert len(charts) == 14 + 2 and all(w > 300 and h > 20 for w, h in charts)  # and one per area
    assert gaps >= 20
    assert shot.stat().st_size > 20_000 and shot.read_bytes().startswith(b"\x89PNG")


def test_an_area_report_for_its_team_in_english(malmo: Path, tmp_path: Path) -> None:
    files = _render(tmp_path, "area", "hermodsdal_nydala_gullviksborg", "--as-of", "2022-03-01", "--lang", "en",
                    "--format", "html", "md")
    html = unescape(files["html"].decode())
    assert "<h1>CTC in Hermodsdal/Nydala/Gullviksborg – area report</h1>" in html and "Bellevuegården" not in html
    assert "Area report" in html and "Resident participation" in html
    assert "This was owed by Development lead (Utvecklingsledare Hermodsdal)." in html
    assert "Proposed decision" not in html  # the board's part is not the team's
    assert "The area's input is due by 2022-03-31." in html  # not yet a gap on 2022-03-01
    assert html.index("<h2>What comes next</h2>") < html.index("<h2>Milestones")  # what is next comes first


def test_bad_periods_are_refused_with_the_fix(malmo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "ks", "--period", "2023", "--out", str(tmp_path)]) != 0
    assert "no ks report is due in 2023" in capsys.readouterr().err
    assert main(["report", "ks", "--period", "2022-13-01..2022-12-31", "--out", str(tmp_path)]) != 0
    assert "write FROM..TO as dates" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_report_with_an_unknown_role_in_phases_yml_is_refused(project: Project) -> None:
    from ctcflow.core.errors import DefinitionError
    from ctcflow.definition.loader import load_definitions

    project.edit("phases.yml", "      kostnader: central_samordnare", "      kostnader: ekonomichef")
    with pytest.raises(DefinitionError) as refused:
        load_definitions()
    assert "unknown role 'ekonomichef'" in str(refused.value) and "phases.yml:" in str(refused.value)


def test_an_area_report_is_sent_to_the_areas_own_team_only(malmo: Path, tmp_path: Path) -> None:
    assert main(["report", "area", "bunkeflostrand_vintrie", "--period", "2024", "--as-of", "2024-03-01",
                 "--format", "pdf", "--send", "--out", str(tmp_path)]) == 0
    with session_scope() as session:
        sent = session.execute(select(col(ReportArchive.sent_to)).where(
            col(ReportArchive.scope) == "bunkeflostrand_vintrie", col(ReportArchive.sent_on) == date(2024, 3, 1))).scalars().one()
        mails = session.execute(select(col(Notification.recipient), col(Notification.attachment_id)).where(
            col(Notification.key).like("report/area/2024/bunkeflostrand_vintrie/%"))).all()
    assert sent == "team_bunkeflo,ul_bunkeflo"
    assert {r for r, _ in mails} == {"team_bunkeflo", "ul_bunkeflo"} and all(a for _, a in mails)


@pytest.mark.both_databases
def test_a_reminder_about_a_report_sent_meanwhile_is_not_delivered(project: Project, mail: LocalMailServer,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from ctcflow.app.jobs import MorningPlan, deliver, sweep
    from ctcflow.app.setup import init_database

    init_database(date(2018, 8, 1))
    day = calendar.add_business_days(date(2020, 4, 30), -10)
    morning = sweep(day, MorningPlan(deliver=False))
    reminders = [p for p in morning.enqueued if p.kind == "report_reminder"]
    assert [p.recipient for p in reminders] == ["samordnare"]
    assert main(["report", "ks", "--period", "2020", "--as-of", day.isoformat(), "--format", "html", "--send",
                 "--out", str(project.root / "out")]) == 0
    said = capsys.readouterr().out
    # the command says "sent" because the servers accepted every copy (on the clock), and to whom
    assert "\nSkickad 20" in said and "Kommunstyrelsens kansli: mottagen av e-postservern 20" in said, said
    deliver(day)
    with session_scope() as session:
        status = session.execute(select(col(Notification.status)).where(col(Notification.key) == reminders[0].key)).scalar()
    assert status == "cancelled"
    about_the_report = [m.subject for m in mail.to("samordnare@test.example") if "kommunstyrelsen" in m.subject]
    assert about_the_report == ["Communities That Care i Malmö – rapport till kommunstyrelsen – 2018–2019"]
    assert len([m for m in mail.to("ks_kansli@test.example") if m.attachments]) == 1


def test_a_report_escalation_nobody_holds_goes_to_the_next_one_up_not_nowhere(project: Project,
                                                                              mail: LocalMailServer) -> None:
    from ctcflow.app.jobs import sweep
    from ctcflow.app.setup import init_database

    project.edit("areas.yml", "  - id: avdelningschef\n    name: Avdelningschef, stadskontoret\n"
                 "    role: avdelningschef\n    notify: env:CTC_NOTIFY_AVDELNINGSCHEF\n", "")
    reset_settings()
    init_database(date(2018, 8, 1))
    sweep(calendar.add_business_days(date(2020, 4, 30), 1))
    # the avdelningschef's rung is empty: the director above is told that day (at once, or in the
    # day's brief when the day's cap of immediate mails is used up by older escalations)
    with session_scope() as session:
        rows = session.execute(select(col(Notification.recipient), col(Notification.role), col(Notification.subject)).where(
            col(Notification.kind) == "report_escalation")).all()
    assert [(r, role) for r, role, _ in rows] == [("direktor", "ansvarig_direktor")]
    told = [m for m in mail.to("direktor@test.example") if rows[0][2] in m.body or m.subject == rows[0][2]]
    assert len(told) == 1


def test_an_area_stuck_since_before_the_period_does_not_look_clean(project: Project) -> None:
    """A milestone due in 2018 and never done is in the 2020 report's area section, not
    'Inga milstolpar blev sena eller uteblev'."""
    from ctcflow.app.setup import init_database
    from ctcflow.definition.loader import load_definitions
    from ctcflow.report.content import gather
    from ctcflow.report.model import Scope
    from ctcflow.report.schedule import Period

    init_database(date(2018, 8, 1))
    with session_scope() as session:
        areas, _, _ = gather(session, load_definitions(), Scope(Period(date(2020, 1, 1), date(2020, 12, 31)),
                                                                date(2021, 1, 15), ["bellevuegarden_lorensborg"]),
                             mandated={}, area_input=None)
    [bellevue] = areas
    stuck = {line.milestone_id: line for line in bellevue.overdue_before}
    assert "kontaktperson_utsedd" in stuck and stuck["kontaktperson_utsedd"].due.year == 2018
    assert stuck["kontaktperson_utsedd"].done_on is None
    assert all(line.due < date(2020, 1, 1) for line in bellevue.overdue_before)
    out = project.root / "out"
    assert main(["report", "area", "bellevuegarden_lorensborg", "--period", "2020-01-01..2020-12-31",
                 "--as-of", "2021-01-15", "--format", "md", "--out", str(out)]) == 0
    [written] = list(out.iterdir())
    text = written.read_text(encoding="utf-8")
    assert "Inga milstolpar blev sena eller uteblev" not in text
    assert "| Kontaktperson och ambassadör utsedda | Mobilisering | 2018-" in text


def test_the_2024_report_says_what_moved_against_the_rest_of_the_city(malmo: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's Hermodsdal chose family conflicts and access to drugs on the 2019 wave, and
    both fell by 2023 while the city stayed put: the board reads "improved (clear)" for them,
    "no clear difference" where nothing was planted, and a count in the Sammanfattning."""
    html = _render(tmp_path, "ks", "--period", "2024", "--as-of", "2024-04-30", "--format", "html")["html"].decode()
    hermodsdal = html.split(": Hermodsdal/Nydala/Gullviksborg</h2>", 1)[1].split("</section>", 1)[0]
    effects = hermodsdal.split("<h3>Effekter</h3>", 1)[1].split("<h3>", 1)[0]
    rows = {unescape(row.split("</td>", 1)[0]): row for row in effects.split("<tr><td>")[1:]}
    for factor in ("Konflikter i familjen", "Upplevd tillgång till droger"):
        assert "Förbättrades mer än jämförelsen (tydligt)" in rows[factor]
    assert "Ingen tydlig skillnad mot jämförelsen" in rows["Alkoholdebut (utfall)"]
    assert "resten av staden" in effects and "följsamhet" in effects
    assert html.count("<h3>Effekter</h3>") == 14
    matter = html.split("<h2>Ärendet</h2>", 1)[1].split("<h2>", 1)[0]
    assert "Effekter enligt enkäten:" in matter and "tydliga förbättringar" in matter

    capsys.readouterr()
    assert main(["effects", "--area", "hermodsdal_nydala_gullviksborg", "--as-of", "2024-04-30", "--json"]) == 0
    [area] = json.loads(capsys.readouterr().out)
    verdicts = {e["measure"]: e["verdict"] for e in area["effects"]}
    assert verdicts["konflikter_i_familjen"] == verdicts["tillganglighet_droger"] == "improved"

    # the researchers' tables: every figure a published one (never fewer answers than the threshold)
    assert main(["effects", "export", str(tmp_path / "export"), "--as-of", "2024-04-30"]) == 0
    with (tmp_path / "export" / "shares.csv").open(encoding="utf-8") as f:
        shares = list(csv.DictReader(f))
    assert shares and all(int(row["n"]) >= 10 for row in shares)
    improved = [row for row in shares if row["area_id"] == "hermodsdal_nydala_gullviksborg"
                and row["measure"] == "konflikter_i_familjen" and row["group"] == "area"]
    assert [row["period"] for row in improved] == ["baseline", "after", "after"]
    assert "difference-in-differences" in (tmp_path / "export" / "codebook.md").read_text(encoding="utf-8")


def test_typed_text_in_the_markdown_report_shows_as_typed_and_does_nothing() -> None:
    """An entry's words reach the board's Markdown as text: rendered by a CommonMark reader they
    make no HTML element, no link, no emphasis and no extra table cell."""
    from markdown_it import MarkdownIt

    from ctcflow.report.render import markdown_text

    typed = "Möte <script>alert(1)</script> [klicka](javascript:alert(1)) <javascript:alert(2)> a|b *fet* ett_två"
    rendered = MarkdownIt("commonmark").enable("table").render(f"| a | b |\n|---|---|\n| {markdown_text(typed)} | x |\n")
    assert "<script" not in rendered and "<a " not in rendered and "<em>" not in rendered
    assert rendered.count("<td>") == 2
    assert "Möte &lt;script&gt;alert(1)&lt;/script&gt; [klicka](javascript:alert(1))" in rendered
    assert "a|b *fet* ett_två" in rendered

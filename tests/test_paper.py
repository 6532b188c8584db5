"""The board's paper as the board reads it: a tjänsteskrivelse of at most four A4 pages — for
Malmö's replayed history and for a city of a hundred areas — with Malmö's parts in Malmö's
order, a Sammanfattning built from counts (never from a mail), its own lateness stated, a
missed period's escalations carried into the next paper with an att-sats asking for its
account, lateness measured against the plan, no gap before it is due, no "0" for a year nobody
reported, and a tagged PDF with its language."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pypdf
import pytest
from sqlalchemy import select
from sqlmodel import col

from ctcflow.cli.main import main
from ctcflow.core.config import get_settings
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.programmes import load_programmes
from ctcflow.definition.survey import load_survey
from ctcflow.engine.stalls import Stall
from ctcflow.report.escalation_log import HELD, OPEN, RESOLVED, Logged
from ctcflow.report.model import AreaReport, Gap, MilestoneLine, ReportContent
from ctcflow.report.pdf import chunks, print_chunk
from ctcflow.report.render import render
from ctcflow.report.schedule import LateReport, occasion
from ctcflow.report.service import content_for, request_for
from db.engine import session_scope
from db.models import MilestoneInstance, Notification
from tests.browser import chromium, fits
from tests.conftest import environment, snapshot_of

PARTS = ["Sammanfattning", "Förslag till beslut", "Beslutsunderlag", "Beslutsplanering", "Beslutet skickas till",
         "Ärendet", "Ansvariga"]


@pytest.fixture(scope="module")
def malmo(replay_2024: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    workdir = snapshot_of(replay_2024, tmp_path_factory.mktemp("paper") / "demo")
    with environment({"CTC_DATA_DIR": str(workdir), "CTC_DATABASE_URL": None}):
        yield workdir


def _paper(folder: Path, period: str, as_of: str, fmt: str = "html") -> str:
    assert main(["report", "ks", "--period", period, "--as-of", as_of, "--format", fmt, "--out", str(folder)]) == 0
    return (folder / f"ks-rapport-{period}-{as_of}-sv.{fmt}").read_text(encoding="utf-8")


def _main_part(html: str) -> str:
    return html.split("</main>")[0]


def _summary_text(html: str) -> str:
    found = re.search(r'<div class="summary">(.*?)</div>', html, re.S)
    assert found
    return unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def _main_pages(html: str) -> int:
    """The pages of the paper itself: what is printed before the first bilaga."""
    printed = pypdf.PdfReader(io.BytesIO(print_chunk(chunks(html, 1)[0])))
    return len(printed.pages)


def test_the_2024_paper_is_a_tjanstesskrivelse_of_at_most_four_pages(malmo: Path, tmp_path: Path) -> None:
    html = _paper(tmp_path, "2024", "2024-04-30")
    main_part = _main_part(html)
    headings = [unescape(h) for h in re.findall(r"<h2>(.*?)</h2>", main_part)]
    assert headings == PARTS
    assert "Vår referens" in main_part and "Diarienummer</td><td>STK-2024-512" in main_part
    assert "Kommunstyrelsens arbetsutskott 2024-05-13" in main_part and "Kommunstyrelsen 2024-05-22" in main_part
    assert _main_pages(html) <= 4
    summary = _summary_text(html)
    assert len(summary.split()) <= 150
    with session_scope() as session:
        subjects = {s for s in session.execute(select(col(Notification.subject)).distinct()).scalars() if len(s) > 25}
    assert not [s for s in subjects if s in summary]  # counts and states, never a mail's text
    assert "CTC bedrivs i 5 av" in summary and "Ärenden som nått kommunstyrelsen sedan 2022-01-01" in summary
    # the whole document: the paper's pages, then a bilaga per area and the three lists, tagged
    assert main(["report", "ks", "--period", "2024", "--as-of", "2024-04-30", "--format", "pdf",
                 "--out", str(tmp_path)]) == 0
    pdf = pypdf.PdfReader(tmp_path / "ks-rapport-2024-2024-04-30-sv.pdf")
    root: Any = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "sv" and "/MarkInfo" in root
    assert pdf.metadata is not None and pdf.metadata.title and pdf.metadata.title.startswith("Communities That Care")
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for number, area in enumerate(sorted(a.name for a in load_definitions().org.areas), start=1):
        assert f"Bilaga {number}: {area}" in text
    assert "Eskaleringar och hur de står" in text and "Områdenas underlag" in text


def test_a_late_paper_says_so_and_the_next_after_a_missed_one_covers_its_period(malmo: Path, tmp_path: Path) -> None:
    late = _summary_text(_paper(tmp_path, "2022", "2024-01-02"))
    due = occasion(load_definitions().process.reports[0], 2022).due
    days = (date(2024, 1, 2) - due).days
    assert late.lstrip().startswith(f"Redovisningen skulle ha lämnats till kommunstyrelsen senast {due.isoformat()} "
                                    f"och lämnas {days} dagar för sent.")
    # the 2024 paper made before the 2022 one ever went out: the 2022 period is missing
    html = _paper(tmp_path, "2024", "2023-12-29")
    summary, main_part = _summary_text(html), unescape(_main_part(html))
    assert "Redovisningen för 2022 (perioden 2020–2021) lämnades aldrig." in summary
    assert "att redovisa arbetet under 2020–2021, som skulle ha redovisats" in main_part
    assert "tar därför också upp allt som nått kommunstyrelsen sedan 2020-01-01" in main_part
    log = unescape(html.split('id="bilaga-eskaleringar"')[1].split("</section>")[0])
    reached_in_2020_2021 = re.findall(r"<td>(202[01]-\d\d-\d\d)</td><td>(?:Central samordnare|Avdelningschef|"
                                      r"Ansvarig direktör|Kommunstyrelsen)[^<]*</td><td>(202[01]-\d\d-\d\d)</td>", log)
    assert reached_in_2020_2021  # what reached the board in the missed period is in this paper
    assert _main_pages(html) <= 4


def test_lateness_is_measured_against_the_plan_not_a_due_date_moved_by_late_work(malmo: Path) -> None:
    defs = load_definitions()
    with session_scope() as session:
        moved = session.execute(select(MilestoneInstance).where(
            col(MilestoneInstance.planned_due_date) < col(MilestoneInstance.due_date), col(MilestoneInstance.status) == "done",
            col(MilestoneInstance.done_on) > col(MilestoneInstance.planned_due_date),
            col(MilestoneInstance.done_on) <= col(MilestoneInstance.due_date),
            col(MilestoneInstance.planned_due_date).between(date(2022, 1, 1), date(2023, 12, 31)))).scalars().all()
        assert moved, "the replay has milestones done after their plan but before their moved due date"
        content = content_for(session, defs, request_for(defs, "ks", "2024", date(2024, 4, 30)))
    late = {(a.id, m.milestone_id, m.planned) for a in content.areas for m in a.late}
    for mi in moved:
        assert (mi.area_id, mi.milestone_id, mi.planned_due_date) in late  # late, with the plan beside it


def test_an_area_report_owes_nothing_before_it_is_due(malmo: Path, tmp_path: Path) -> None:
    assert main(["report", "area", "hermodsdal_nydala_gullviksborg", "--period", "2026", "--as-of", "2024-03-01",
                 "--format", "html", "--out", str(tmp_path)]) == 0
    html = unescape((tmp_path / "omradesrapport-hermodsdal_nydala_gullviksborg-2026-2024-03-01-sv.html")
                    .read_text(encoding="utf-8"))
    assert "CTC i Hermodsdal/Nydala/Gullviksborg – områdesrapport" in html and "Förslag till beslut" not in html
    assert "skulle ha lämnats" not in html and "ska lämnas senast 2026-" in html
    assert "2025" not in re.search(r"Kostnader för området</h2>\s*<p>(.*?)</p>", html, re.S).group(1)  # type: ignore[union-attr]
    assert "2024: året pågår" in html


def test_no_year_nobody_reported_is_printed_as_zero(malmo: Path, tmp_path: Path) -> None:
    md = _paper(tmp_path, "2022", "2022-05-02", fmt="md")
    economy = md.split("### Ekonomi")[1].split("## Ansvariga")[0]
    assert "**2020: inga kostnader redovisade.**" in economy and "**2021: inga kostnader redovisade.**" in economy
    assert " 0 |" not in economy and " 0 kr" not in economy


def _city(n: int) -> ReportContent:
    """A city of ``n`` areas with everything a paper can hold: a missed report and a late one,
    a third of the areas never started, vacancies, hundreds of escalations, gaps everywhere."""
    defs = load_definitions()
    report = defs.process.reports[0]
    this = occasion(report, 2026)
    areas = [AreaReport(f"omrade_{i:03d}", f"Område {i:03d} med ett långt namn", on_time=20,
                        late=[MilestoneLine("gapanalys", "prioritering", date(2024, 3, 1), date(2024, 5, 1))],
                        missing=[MilestoneLine("handlingsplan_skriven", "handlingsplan", date(2025, 3, 1), None)])
             for i in range(n)]
    stalls = [Stall("not_started", a.id, date(2021, 3, 2)) for a in areas[: n // 3]]
    stalls += [Stall("inactive", a.id, date(2024, 6, 1), last_activity=date(2024, 6, 1)) for a in areas[n // 3: n // 2]]
    stalls += [Stall("vacancy", a.id, date(2025, 1, 1), role="utvecklingsledare") for a in areas[n // 2:]]
    outcomes = (RESOLVED, OPEN, HELD)
    log = [Logged(f"late/{a.id}", "area_late", a.id, f"{a.name}: 3 milstolpar försenade", date(2024, 1, 1),
                  date(2024, 2, 1) + timedelta(days=i), "kommunstyrelsen", date(2024, 3, 1), outcomes[i % 3])
           for i, a in enumerate(areas * 3)]
    gaps = [Gap(a.id, "boendemedverkan", "utvecklingsledare", ("Utvecklingsledare",), ("ul",)) for a in areas]
    return ReportContent(
        report.title.get("sv"), "Storstad", this, this.period, this.due + timedelta(days=40), this.due, areas,
        {2024: {"stadskontoret": 100_000_00}, 2025: {}}, gaps,
        [LateReport(occasion(report, 2022), date(2023, 1, 5)), LateReport(occasion(report, 2024), None)],
        stalls, log, occasion(report, 2024).period.start, n)


@pytest.mark.parametrize("areas", [14, 100])
def test_the_paper_stays_within_four_pages_however_big_the_city(project: object, areas: int) -> None:
    content = _city(areas)
    settings = get_settings()
    [rendering] = render(content, load_definitions(), load_survey(settings), load_programmes(settings), lang="sv",
                         templates_dir=settings.templates_dir, kind="ks", mandated={}, stem="prov", formats=("html",))
    html = rendering.content.decode("utf-8")
    assert _main_pages(html) <= 4
    summary = _summary_text(html)
    assert len(summary.split()) <= 150 and "lämnas 40 dagar för sent" in summary
    assert f"Områden som inte kommit igång ({areas // 3})" in summary
    proposals = re.findall(r"<li>(att .*?)[,.]</li>", _main_part(html))
    assert proposals[0].startswith("att godkänna redovisningen")
    assert any("att redovisa arbetet under 2022–2023" in p for p in proposals)
    assert len(proposals) <= 2 + 3 * 3 + 1  # a sats per stall only while they are few, then one per kind
    assert html.count('<section class="appendix"') == areas + 3


def _words_a_person_reads(document: str) -> str:
    """What a reader sees of an HTML or Markdown document: no styles, charts, attributes or links."""
    for pattern in (r"<style.*?</style>", r"<svg.*?</svg>", r"data:[^)\"]+", r'\b(?:id|href|class)="[^"]*"',
                    r"\]\([^)]*\)"):
        document = re.sub(pattern, "", document, flags=re.S)
    return document


def test_no_internal_id_in_any_document_of_the_demo(malmo: Path, tmp_path: Path) -> None:
    _paper(tmp_path, "2024", "2024-04-30")
    _paper(tmp_path, "2024", "2024-04-30", fmt="md")
    assert main(["report", "area", "bunkeflostrand_vintrie", "--period", "2024", "--as-of", "2024-03-01",
                 "--format", "html", "md", "--out", str(tmp_path)]) == 0
    assert main(["plan", "show", "hermodsdal_nydala_gullviksborg", "-o", str(tmp_path / "plan.html")]) == 0
    documents = sorted(tmp_path.glob("*.html")) + sorted(tmp_path.glob("*.md"))
    assert len(documents) == 5
    for document in documents:
        ids = set(re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", _words_a_person_reads(document.read_text("utf-8"))))
        assert not ids, f"{document.name} shows {sorted(ids)}"


def test_the_handlingsplan_gives_names_baselines_and_a_tagged_pdf(malmo: Path, tmp_path: Path) -> None:
    assert main(["plan", "show", "hermodsdal_nydala_gullviksborg", "-o", str(tmp_path / "plan.html")]) == 0
    text = unescape(re.sub(r"<[^>]+>", " ", (tmp_path / "plan.html").read_text("utf-8")))
    assert "Utgångsläge enligt CTC-enkäten 2023:" in text and "i resten av staden" in text
    assert re.search(r"Valt\s+\d{4}-\d\d-\d\d av Områdesteamet Hermodsdal", text)
    assert "beslutade 2023-" in text and "av Områdesteamet Hermodsdal" in text
    assert main(["plan", "show", "hermodsdal_nydala_gullviksborg", "--pdf", "-o", str(tmp_path / "plan.pdf")]) == 0
    pdf = pypdf.PdfReader(tmp_path / "plan.pdf")
    root: Any = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "sv"
    assert pdf.metadata is not None and pdf.metadata.title == "Handlingsplan Hermodsdal/Nydala/Gullviksborg"
    assert "Handlingsplan för Hermodsdal/Nydala/Gullviksborg" in "".join(pdf.pages[0].extract_text().split("\n"))
    assert main(["report", "area", "kirsebergsstaden_rostorp_segevang_segemolla", "--period", "2024", "--as-of",
                 "2024-03-01", "--format", "html", "--out", str(tmp_path)]) == 0
    with chromium() as browser:  # on a phone, with the city's longest area name: nothing runs off the side
        browser.set_window_size(390, 844)
        for document in (tmp_path / "plan.html", *tmp_path.glob("omradesrapport-*.html")):
            browser.get(document.as_uri())
            assert fits(browser), document.name

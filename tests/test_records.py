"""Costs and the mandated themes: recorded now so the report to KS never lacks them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from ctcflow.app.setup import init_database
from ctcflow.cli.main import main
from ctcflow.records.ledger import kronor, parse_amount
from db.engine import session_scope
from db.models import CostEntry, Event, MandateEntry
from tests.conftest import Project


@pytest.fixture
def city(project: Project) -> Project:
    init_database(date(2018, 8, 1))
    return project


def test_amounts_read_as_people_write_them() -> None:
    assert parse_amount("1 250 000") == 125_000_000
    assert parse_amount("1\u00a0250\u00a0000,50 kr") == 125_000_050
    assert parse_amount("1250000.5") == 125_000_050
    assert parse_amount("-300") == -30_000
    assert parse_amount("tolv") is None and parse_amount("1,2,3") is None
    assert kronor(125_000_050) == "1\u00a0250\u00a0000,50 kr"


def test_a_cost_sheet_from_excel_imports_and_a_correction_replaces_only_what_it_gives_when_asked(
        city: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "kostnader.csv"
    sheet.write_bytes("År;Område;Förvaltning;Belopp;Kategori\n"
                      "2023;Bellevuegården/Lorensborg;Fritidsförvaltningen;1 250 000;personal\n"
                      ";;;;\n"
                      "2023;;stadskontoret;400 000,50;samordning\n".encode("cp1252"))
    assert main(["cost", "import", str(sheet), "--by", "samordnare", "--as-of", "2024-01-15"]) == 0
    assert "2 cost rows, 1\u00a0650\u00a0000,50 kr, years 2023" in capsys.readouterr().out
    with session_scope() as session:
        rows = session.execute(select(col(CostEntry.area_id), col(CostEntry.administration), col(CostEntry.amount_ore))
                               .order_by(col(CostEntry.amount_ore))).tuples().all()
    assert rows == [(None, "stadskontoret", 40_000_050), ("bellevuegarden_lorensborg", "fritidsforvaltningen",
                                                          125_000_000)]
    # a correction of one line: said before anything is written, imported only when asked
    sheet.write_text("år,förvaltning,belopp\n2023,stadskontoret,500000\n", encoding="utf-8")
    assert main(["cost", "import", str(sheet), "--by", "samordnare", "--as-of", "2024-01-16"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "2023 central, Stadskontoret: 400 000,50 kr → 500 000 kr" in err.replace("\u00a0", " ")
    assert "Nothing was imported" in err and "--replace" in err
    with session_scope() as session:
        assert session.execute(select(func.sum(CostEntry.amount_ore))).scalar() == 165_000_050
    assert main(["cost", "import", str(sheet), "--by", "samordnare", "--as-of", "2024-01-16", "--replace"]) == 0
    assert "replacing 1 earlier rows" in capsys.readouterr().out
    # the next year's sheet under the same file name keeps the years before it
    sheet.write_text("år,förvaltning,belopp\n2024,stadskontoret,600000\n", encoding="utf-8")
    assert main(["cost", "import", str(sheet), "--by", "samordnare", "--as-of", "2025-01-16"]) == 0
    assert main(["cost", "list"]) == 0
    listed = capsys.readouterr().out
    assert "2023: 1\u00a0750\u00a0000 kr" in listed and "2024: 600\u00a0000 kr" in listed


def test_a_cost_sheet_with_mistakes_imports_nothing_and_names_each_row(city: Project, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    sheet = tmp_path / "fel.csv"
    sheet.write_text("år;område;förvaltning;belopp\n"
                     "2023;;stadskontoret;100 000\n"
                     "tjugotjugotre;;stadskontoret;100\n"
                     "2023;;Fritidsforvaltning;100\n"
                     "2023;Limhamn;stadskontoret;100\n"
                     "2023;;stadskontoret;hundra\n", encoding="utf-8")
    assert main(["cost", "import", str(sheet), "--by", "samordnare"]) == 2
    err = capsys.readouterr().err
    assert "4 problem(s)" in err and "nothing was imported" in err
    for row, column in ((3, "år"), (4, "förvaltning"), (5, "område"), (6, "belopp")):
        assert f"fel.csv:{row}: [{column}]" in err
    assert "did you mean 'fritidsforvaltningen'?" in err
    with session_scope() as session:
        assert session.execute(select(CostEntry)).first() is None


def test_work_on_the_mandated_themes_is_recorded_per_area(city: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["entry", "add", "hermodsdal_nydala_gullviksborg", "--kind", "boendemedverkan",
                 "--date", "2023-05-10", "--description", "Trygghetsvandring med boende i Nydala",
                 "--evidence", "minnesanteckningar 2023-05-10", "--by", "ul_hermodsdal", "--as-of", "2023-05-12"]) == 0
    assert main(["entry", "add", "hermodsdal_nydala_gullviksborg", "--kind", "boendemedverkan",
                 "--date", "2023-06-01", "--description", "framtida", "--by", "ul_hermodsdal",
                 "--as-of", "2023-05-12"]) == 2
    assert "after 2023-05-12: record what has happened" in capsys.readouterr().err
    assert main(["entry", "list", "--area", "hermodsdal_nydala_gullviksborg"]) == 0
    assert "Boendemedverkan" in capsys.readouterr().out
    with session_scope() as session:
        [entry] = session.execute(select(MandateEntry)).scalars().all()
        assert entry.recorded_by == "ul_hermodsdal" and entry.happened_on == date(2023, 5, 10)
        assert session.execute(select(Event).where(col(Event.kind) == "mandate_entry")).scalar_one()

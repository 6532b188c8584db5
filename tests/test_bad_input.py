"""Bad input as a hurried user makes it — a survey export, a cost sheet, areas.yml, a date on the
command line: each case is refused with a clear message that names the file (and the row,
column or line where there is one) and what to do, exits non-zero without a traceback, and
leaves the database exactly as it was (a hash of every table's rows)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import MetaData, select

from ctcflow.app.setup import init_database
from ctcflow.app.survey import import_wave
from ctcflow.cli.main import main
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from db.engine import get_engine
from demo.synthetic import Plan, as_text, synthetic_wave
from tests.conftest import Project

COST_HEADER = "år;område;förvaltning;belopp\n"


def database_hash() -> str:
    """Every row of every table, in order: what "nothing changed" means."""
    digest = hashlib.sha256()
    metadata = MetaData()
    metadata.reflect(get_engine())
    with get_engine().connect() as connection:
        for table in sorted(metadata.tables.values(), key=lambda t: t.name):
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def wave(pupils: int = 600, seed: int = 3) -> pd.DataFrame:
    return as_text(synthetic_wave(load_survey(), load_definitions().org, Plan(pupils=pupils, seed=seed)))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(sep=";", index=False).encode("utf-8")


def workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # the file's name in the test folder ('' when the case has none)
    content: Callable[[], bytes] | None
    args: Callable[[Path], list[str]]
    says: tuple[str, ...]  # what the message must contain (file, row, column, what, how)
    wave_first: bool = False  # wave 2021 is imported before (the case would replace it)


def survey_import(path: Path) -> list[str]:
    return ["survey", "import", "2021", str(path)]


def cost_import(path: Path) -> list[str]:
    return ["cost", "import", str(path), "--by", "samordnare", "--as-of", "2024-01-15"]


def costs(*lines: str) -> Callable[[], bytes]:
    return lambda: (COST_HEADER + "".join(f"{line}\n" for line in lines)).encode("utf-8")


def header_of_wave() -> bytes:
    return csv_bytes(wave().head(0))


def without_area(frame: pd.DataFrame, area_delomraden: set[str]) -> pd.DataFrame:
    return frame[~frame["delomrade"].isin(area_delomraden)]


def bellevue_delomraden() -> set[str]:
    return set(load_definitions().org.area("bellevuegarden_lorensborg").delomraden)  # type: ignore[union-attr]


CASES = [
    # survey exports
    Case("survey: an empty file", "tom.csv", lambda: b"", survey_import, ("tom.csv", "the file is empty")),
    Case("survey: only spaces and newlines", "blank.csv", lambda: b"  \n\n \r\n", survey_import,
         ("blank.csv", "the file is empty")),
    Case("survey: a header and no rows", "rubrik.csv", header_of_wave, survey_import,
         ("rubrik.csv", "a header but no rows", "nothing already there is replaced")),
    Case("survey: a header and rows of empty cells", "semikolon.csv",
         lambda: header_of_wave() + b";;;;;;\n;;;\n", survey_import, ("semikolon.csv", "a header but no rows")),
    Case("survey: a binary file", "bild.csv", lambda: bytes(range(256)) * 40, survey_import,
         ("bild.csv", "not a table but a binary file")),
    Case("survey: a workbook renamed .csv", "enkat.csv", lambda: workbook({"Blad1": wave(60)}), survey_import,
         ("enkat.csv", "an Excel workbook saved under a .csv name", "rename it to .xlsx")),
    Case("survey: data on two sheets", "tva.xlsx",
         lambda: workbook({"Skola A": wave(60, 1), "Skola B": wave(60, 2)}), survey_import,
         ("tva.xlsx", "data on 2 sheets", "'Skola A' (60 rows)", "'Skola B' (60 rows)", "--sheet")),
    Case("survey: a sheet that is not there", "tva.xlsx",
         lambda: workbook({"Skola A": wave(60, 1), "Skola B": wave(60, 2)}),
         lambda path: [*survey_import(path), "--sheet", "Skola C"],
         ("no sheet named 'Skola C'", "'Skola A', 'Skola B'")),
    Case("survey: the wrong sheet is named", "tva.xlsx",
         lambda: workbook({"Info": pd.DataFrame({"Om": ["Export 2021"]}), "Svar": wave(60, 1)}),
         lambda path: [*survey_import(path), "--sheet", "Info"],
         ("tva.xlsx", "missing columns on sheet 'Info'", "delomrade")),
    Case("survey: a PDF", "enkat.pdf", lambda: b"%PDF-1.4\n", survey_import, ("enkat.pdf", "unknown file type")),
    Case("survey: no such file", "", None, lambda path: ["survey", "import", "2021", str(path / "finns-inte.csv")],
         ("finns-inte.csv", "no such file")),
    Case("survey: half the pupils of the wave already imported", "halva.csv",
         lambda: csv_bytes(wave().head(300)), survey_import,
         ("halva.csv would replace wave 2021 with less", "answers", "--replace", "Nothing was imported"), True),
    Case("survey: an area missing from a re-import", "utan.csv",
         lambda: csv_bytes(without_area(wave(), bellevue_delomraden())), survey_import,
         ("would replace wave 2021 with less", "every answer from Bellevuegården/Lorensborg", "--replace"), True),
    # cost sheets
    Case("costs: an empty file", "kostnad.csv", lambda: b"", cost_import, ("kostnad.csv", "the file is empty")),
    Case("costs: a header and no rows", "kostnad.csv", costs(), cost_import,
         ("kostnad.csv", "a header but no rows")),
    Case("costs: an amount of 40 digits", "kostnad.csv", costs("2023;;stadskontoret;" + "9" * 40), cost_import,
         ("kostnad.csv:2: [belopp]", "is more than 1 000 000 000 kr")),
    Case("costs: a negative amount", "kostnad.csv", costs("2023;;stadskontoret;-5000"), cost_import,
         ("kostnad.csv:2: [belopp]", "is negative")),
    Case("costs: the year 2099", "kostnad.csv", costs("2099;;stadskontoret;5000"), cost_import,
         ("kostnad.csv:2: [år]", "'2099' is not a year CTC has costs for (2000–2025)")),
    Case("costs: a year of five digits", "kostnad.csv", costs("20233;;stadskontoret;5000"), cost_import,
         ("kostnad.csv:2: [år]", "'20233' is not a year")),
    Case("costs: two sheets of costs", "kostnader.xlsx",
         lambda: workbook({"2023": pd.DataFrame({"år": [2023], "förvaltning": ["stadskontoret"], "belopp": [1]}),
                           "2024": pd.DataFrame({"år": [2024], "förvaltning": ["stadskontoret"], "belopp": [2]})}),
         cost_import, ("kostnader.xlsx", "data on 2 sheets", "'2023' (1 rows)", "'2024' (1 rows)")),
    Case("costs: a binary file", "kostnad.csv", lambda: b"\x00\x01\x02" * 500, cost_import,
         ("kostnad.csv", "binary file")),
    Case("costs: an amount by hand of 40 digits", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "stadskontoret", "--amount", "9" * 40,
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("is more than 1 000 000 000 kr",)),
    # dates on the command line
    Case("a date far in the future", "", None, lambda path: ["sweep", "--as-of", "9999-12-31"],
         ("'9999-12-31' is outside the calendar ctcflow knows",)),
    Case("a milestone done in 2999", "", None,
         lambda path: ["done", "bellevuegarden_lorensborg", "kontaktperson_utsedd", "--by", "samordnare",
                       "--as-of", "2999-01-01"], ("'2999-01-01' is outside the calendar",)),
    Case("the 30th of February", "", None, lambda path: ["status", "--as-of", "2018-02-30"],
         ("'2018-02-30' is not a date",)),
]


@pytest.fixture
def city(project: Project) -> Project:
    init_database(date(2018, 8, 1))
    return project


def import_first_wave(folder: Path) -> None:
    first = folder / "forsta.csv"
    first.write_bytes(csv_bytes(wave()))
    import_wave("2021", first, date(2021, 4, 1))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(case: Case, city: Project, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / case.file if case.file else tmp_path
    if case.wave_first:
        import_first_wave(tmp_path)
    if case.content is not None:
        path.write_bytes(case.content())
    before = database_hash()

    code = main(case.args(path))

    out, err = capsys.readouterr()
    said = " ".join((out + err).split())
    assert code != 0, said
    assert "Traceback" not in out + err
    for words in case.says:
        assert " ".join(words.split()) in said, said
    assert database_hash() == before


def test_an_impossible_date_in_areas_yml_is_named_with_its_line(project: Project,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = (project.root / "areas.yml").read_text(encoding="utf-8")
    line = text[:text.index("start: 2018-09-03")].count("\n") + 1
    project.edit("areas.yml", "start: 2018-09-03", "start: 2018-02-30")
    assert main(["check"]) == 2
    assert f"areas.yml:{line}: '2018-02-30' is not a date (day is out of range for month)" in capsys.readouterr().err


def test_a_smaller_wave_replaces_the_old_one_when_asked_and_utf16_reads_as_utf8(
        city: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import_first_wave(tmp_path)
    smaller = tmp_path / "mindre.csv"
    smaller.write_bytes(wave().head(300).to_csv(sep="\t", index=False).encode("utf-16"))  # Excel's "Unicode text"
    assert main(["survey", "import", "2021", str(smaller), "--replace"]) == 0
    assert "survey wave 2021: 300 answers from mindre.csv" in capsys.readouterr().out
    second_sheet = tmp_path / "svar.xlsx"
    second_sheet.write_bytes(workbook({"Info": pd.DataFrame(), "Svar": wave(100, 4)}))
    assert main(["survey", "import", "2023", str(second_sheet)]) == 0  # the one sheet with data is read
    assert "survey wave 2023: 100 answers from svar.xlsx" in capsys.readouterr().out

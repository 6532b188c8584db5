"""Bad input as a hurried user makes it — a survey export, a cost sheet, areas.yml, a date on the
command line: each case is refused with a clear message that names the file (and the row,
column or line where there is one) and what to do, exits non-zero without a traceback, and
leaves the database exactly as it was (a hash of every table's rows)."""

from __future__ import annotations

import functools
import hashlib
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import MetaData, Table, select

from ctcflow.app.setup import init_database
from ctcflow.app.survey import import_wave
from ctcflow.cli.main import main
from ctcflow.core.config import reset_settings
from ctcflow.core.personnummer import strength
from ctcflow.definition.loader import load_definitions
from ctcflow.definition.survey import load_survey
from db.engine import get_engine
from demo.synthetic import Plan, as_text, synthetic_wave
from tests.conftest import Project, use_project

COST_HEADER = "år;område;förvaltning;belopp\n"


def database_hash(skip: frozenset[str] = frozenset()) -> str:
    """Every row of every table (but those in ``skip``), in order: what "nothing changed" means."""
    digest = hashlib.sha256()
    with get_engine().connect() as connection:
        for table in _tables(str(get_engine().url)):
            if table.name in skip:
                continue
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _tables(url: str) -> list[Table]:
    """The database's tables, reflected once per database (the schema does not change here)."""
    metadata = MetaData()
    metadata.reflect(get_engine())
    return sorted(metadata.tables.values(), key=lambda t: t.name)


def wave(pupils: int = 600, seed: int = 3) -> pd.DataFrame:
    return _wave(pupils, seed).copy()


@functools.lru_cache(maxsize=8)
def _wave(pupils: int, seed: int) -> pd.DataFrame:
    return as_text(synthetic_wave(load_survey(), load_definitions().org, Plan(pupils=pupils, seed=seed)))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return str(frame.to_csv(sep=";", index=False)).encode("utf-8")


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
    edit: tuple[str, str, str] | None = None  # (definition file, passage, replacement), restored afterwards


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


def wave_with(row: int, column: str, value: str) -> pd.DataFrame:
    """A small wave with one cell changed (row 0 is the file's line 2)."""
    frame = wave(40)
    frame.loc[row, column] = value
    return frame


def dubbel_column() -> bytes:
    frame = wave(40)
    return csv_bytes(pd.concat([frame, frame[["kon"]]], axis=1))


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
         ("halva.csv would replace wave 2021 with less", "answers", "--replace", "Nothing was imported")),
    Case("survey: an area missing from a re-import", "utan.csv",
         lambda: csv_bytes(without_area(wave(), bellevue_delomraden())), survey_import,
         ("would replace wave 2021 with less", "every answer from Bellevuegården/Lorensborg", "--replace")),
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
    Case("costs: an unknown administration", "kostnad.csv", costs("2023;;socialen;5000"), cost_import,
         ("kostnad.csv:2:", "socialen")),
    Case("costs: an unknown area", "kostnad.csv", costs("2023;Bellevue;stadskontoret;5000"), cost_import,
         ("kostnad.csv:2:", "Bellevue")),
    Case("costs: an amount in words", "kostnad.csv", costs("2023;;stadskontoret;femtusen"), cost_import,
         ("kostnad.csv:2: [belopp]", "femtusen")),
    Case("costs: no amount", "kostnad.csv", costs("2023;;stadskontoret;"), cost_import,
         ("kostnad.csv:2: [belopp]",)),
    Case("costs: no year", "kostnad.csv", costs(";;stadskontoret;5000"), cost_import, ("kostnad.csv:2: [år]",)),
    Case("costs: a year with a decimal", "kostnad.csv", costs("2023,5;;stadskontoret;5000"), cost_import,
         ("kostnad.csv:2: [år]", "2023,5")),
    Case("costs: an amount of 1e400", "kostnad.csv", costs("2023;;stadskontoret;1e400"), cost_import,
         ("kostnad.csv:2: [belopp]", "1e400")),
    Case("costs: an amount NaN", "kostnad.csv", costs("2023;;stadskontoret;NaN"), cost_import,
         ("kostnad.csv:2: [belopp]", "NaN")),
    Case("costs: no amount column", "kostnad.csv", lambda: "år;förvaltning\n2023;stadskontoret\n".encode(),
         cost_import, ("kostnad.csv", "belopp")),
    Case("costs: the third of many rows is wrong", "kostnad.csv",
         costs("2023;;stadskontoret;5000", "2023;;stadskontoret;6000", "2023;;stadskontoret;-1"), cost_import,
         ("kostnad.csv:4: [belopp]", "is negative")),
    Case("costs: a PDF", "kostnad.pdf", lambda: b"%PDF-1.4\n", cost_import, ("kostnad.pdf", "unknown file type")),
    Case("costs: no such file", "", None, lambda path: cost_import(path / "saknas.csv"), ("saknas.csv", "no such file")),
    Case("costs: a workbook renamed .csv", "kostnad.csv",
         lambda: workbook({"Blad1": pd.DataFrame({"år": [2023], "förvaltning": ["stadskontoret"], "belopp": [1]})}),
         cost_import, ("kostnad.csv", "rename it to .xlsx")),
    # survey exports, row by row
    Case("survey: an answer off the scale", "skala.csv", lambda: csv_bytes(wave_with(3, "konflikter_i_familjen_2", "7")),
         survey_import, ("skala.csv:5: [konflikter_i_familjen_2]", "'7' is not an answer on this scale")),
    Case("survey: a grade that does not exist", "arskurs.csv", lambda: csv_bytes(wave_with(5, "arskurs", "12")),
         survey_import, ("arskurs.csv:7: [arskurs]", "'12' is not a known value")),
    Case("survey: a gender code not in survey.yml", "kon.csv", lambda: csv_bytes(wave_with(2, "kon", "okänt")),
         survey_import, ("kon.csv:4: [kon]", "'okänt' is not a known value")),
    Case("survey: a misspelt delområde", "stavning.csv", lambda: csv_bytes(wave_with(0, "delomrade", "Lorensbrog")),
         survey_import, ("stavning.csv:2: [delomrade]", "did you mean 'Lorensborg'")),
    Case("survey: an area written short", "kort.csv", lambda: csv_bytes(wave_with(0, "delomrade", "Bellevue")),
         survey_import, ("kort.csv:2: [delomrade]", "did you mean 'Bellevuegården'")),
    Case("survey: another area written short", "kort.csv", lambda: csv_bytes(wave_with(9, "delomrade", "Kirseberg")),
         survey_import, ("kort.csv:11: [delomrade]", "did you mean 'Kirsebergsstaden")),
    Case("survey: an empty delområde", "tomt.csv", lambda: csv_bytes(wave_with(4, "delomrade", "")),
         survey_import, ("tomt.csv:6: [delomrade]", "empty")),
    Case("survey: an empty grade", "tomt.csv", lambda: csv_bytes(wave_with(4, "arskurs", "")),
         survey_import, ("tomt.csv:6: [arskurs]", "empty")),
    Case("survey: a personnummer column", "pnr.csv",
         lambda: csv_bytes(wave(40).assign(Personnummer="811218-9876")), survey_import,
         ("pnr.csv:1: [Personnummer]", "personal data")),
    Case("survey: a first-name column", "namn.csv", lambda: csv_bytes(wave(40).assign(Förnamn="Alva")),
         survey_import, ("namn.csv:1: [Förnamn]", "personal data")),
    Case("survey: an e-mail column", "epost.csv", lambda: csv_bytes(wave(40).assign(**{"E-post": ""})),
         survey_import, ("epost.csv:1: [E-post]", "personal data")),
    Case("survey: a personnummer in a comment", "kommentar.csv",
         lambda: csv_bytes(wave(40).assign(Kommentar="").pipe(lambda f: f.assign(
             Kommentar=["19811218-9876" if i == 6 else "" for i in range(len(f))]))), survey_import,
         ("kommentar.csv:8: [Kommentar]", "personnummer")),
    Case("survey: an e-mail address in a comment", "kommentar.csv",
         lambda: csv_bytes(wave(40).pipe(lambda f: f.assign(
             Kommentar=["elev@skola.se" if i == 2 else "" for i in range(len(f))]))), survey_import,
         ("kommentar.csv:4: [Kommentar]", "e-mail")),
    Case("survey: a column of real personnummer without dashes", "id.csv",
         lambda: csv_bytes(wave(40).assign(Id="8112189876")), survey_import, ("id.csv:2: [Id]", "personnummer")),
    Case("survey: no gender column", "utan.csv", lambda: csv_bytes(wave(40).drop(columns=["kon"])),
         survey_import, ("utan.csv", "missing columns: kon")),
    Case("survey: an item column missing", "utan.csv",
         lambda: csv_bytes(wave(40).drop(columns=["konflikter_i_familjen_2"])), survey_import,
         ("utan.csv", "missing columns", "konflikter_i_familjen_2")),
    Case("survey: a column twice", "dubbel.csv", lambda: dubbel_column(), survey_import,
         ("dubbel.csv:1: [kon]", "more than once")),
    Case("survey: a single unrelated column", "fel.csv", lambda: b"hej\n1\n2\n", survey_import,
         ("fel.csv", "missing columns")),
    Case("survey: a wave name with a slash", "enkat.csv", lambda: csv_bytes(wave(40)),
         lambda path: ["survey", "import", "2021/22", str(path)], ("2021/22",)),
    Case("survey: a profile of an unknown area", "", None,
         lambda path: ["survey", "profile", "bellevue", "--wave", "2021", "-o", str(path / "p.html")],
         ("bellevue",)),
    Case("survey: a profile of a wave not imported", "", None,
         lambda path: ["survey", "profile", "bellevuegarden_lorensborg", "--wave", "2019", "-o", str(path / "p.html")],
         ("no survey wave '2019'",)),
    Case("survey: a decision on an unknown factor", "", None,
         lambda path: ["survey", "decide", "bellevuegarden_lorensborg", "--wave", "2021", "--by", "samordnare",
                       "--factors", "mobbning"], ("mobbning",)),
    # identifiers on the command line
    Case("done: an unknown area", "", None,
         lambda path: ["done", "bellevue", "kontaktperson_utsedd", "--by", "samordnare", "--as-of", "2018-09-10"],
         ("bellevue",)),
    Case("done: an unknown milestone", "", None,
         lambda path: ["done", "bellevuegarden_lorensborg", "kontakt", "--by", "samordnare", "--as-of", "2018-09-10"],
         ("kontakt",)),
    Case("done: an unknown person", "", None,
         lambda path: ["done", "bellevuegarden_lorensborg", "kontaktperson_utsedd", "--by", "anna",
                       "--as-of", "2018-09-10"], ("anna",)),
    Case("done: before the area started", "", None,
         lambda path: ["done", "bellevuegarden_lorensborg", "kontaktperson_utsedd", "--by", "samordnare",
                       "--as-of", "2010-01-04"], ("2010-01-04",)),
    Case("status: an unknown area", "", None, lambda path: ["status", "--area", "mollan"], ("mollan",)),
    Case("history: an unknown area", "", None, lambda path: ["history", "mollan"], ("mollan",)),
    Case("calendar: an unknown area", "", None,
         lambda path: ["calendar", "mollan", "-o", str(path / "x.ics")], ("mollan",)),
    Case("approve: an unknown area", "", None,
         lambda path: ["approve", "mollan", "mobilisering", "--by", "samordnare", "--as-of", "2019-01-07"], ("mollan",)),
    Case("undo: a milestone never done", "", None,
         lambda path: ["undo", "bellevuegarden_lorensborg", "kontaktperson_utsedd", "--by", "samordnare",
                       "--as-of", "2018-09-10"], ("kontaktperson_utsedd",)),
    Case("outbox: release an id that does not exist", "", None, lambda path: ["outbox", "--release", "999999"],
         ("999999",)),
    Case("outbox: retry an id that does not exist", "", None, lambda path: ["outbox", "--retry", "999999"],
         ("999999",)),
    Case("outbox: an unknown status", "", None, lambda path: ["outbox", "--status", "lost"],
         ("'lost' is not a state",)),
    Case("web-link: an unknown person", "", None, lambda path: ["web-link", "anna"], ("anna",)),
    Case("cost add: an unknown administration", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "socialen", "--amount", "5000",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("socialen",)),
    Case("cost add: a negative amount", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "stadskontoret", "--amount", "-5000",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("is negative",)),
    Case("cost add: an amount in words", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "stadskontoret", "--amount", "femtusen",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("femtusen",)),
    Case("cost add: the year 1999", "", None,
         lambda path: ["cost", "add", "--year", "1999", "--administration", "stadskontoret", "--amount", "5000",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("1999", "not a year CTC has costs for")),
    Case("cost add: an unknown area", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "stadskontoret", "--amount", "5000",
                       "--area", "mollan", "--by", "samordnare", "--as-of", "2024-01-15"], ("mollan",)),
    Case("report: a period of letters", "", None, lambda path: ["report", "ks", "--period", "förra"], ("förra",)),
    Case("report: the year 1899", "", None, lambda path: ["report", "ks", "--period", "1899"], ("1899",)),
    Case("report: an unknown report", "", None, lambda path: ["report", "kf", "--period", "2020"], ("kf",)),
    # dates on the command line
    Case("a date far in the future", "", None, lambda path: ["sweep", "--as-of", "9999-12-31"],
         ("'9999-12-31' is outside the calendar ctcflow knows",)),
    Case("a milestone done in 2999", "", None,
         lambda path: ["done", "bellevuegarden_lorensborg", "kontaktperson_utsedd", "--by", "samordnare",
                       "--as-of", "2999-01-01"], ("'2999-01-01' is outside the calendar",)),
    Case("the 30th of February", "", None, lambda path: ["status", "--as-of", "2018-02-30"],
         ("'2018-02-30' is not a date",)),
    Case("a date in words", "", None, lambda path: ["status", "--as-of", "igår"], ("'igår' is not a date",)),
    Case("a date before the calendar", "", None, lambda path: ["status", "--as-of", "1989-12-31"],
         ("'1989-12-31' is outside the calendar",)),
    Case("month 13", "", None, lambda path: ["sweep", "--as-of", "2024-13-01"], ("'2024-13-01' is not a date",)),
    Case("a Swedish date order", "", None, lambda path: ["status", "--as-of", "31/12/2024"],
         ("'31/12/2024' is not a date",)),
    Case("a deliver in the year 3000", "", None, lambda path: ["deliver", "--as-of", "3000-01-01"],
         ("outside the calendar",)),
    Case("a cost sheet dated 2101", "kostnad.csv", costs("2023;;stadskontoret;5000"),
         lambda path: ["cost", "import", str(path), "--by", "samordnare", "--as-of", "2101-01-01"],
         ("outside the calendar",)),
    Case("a survey wave dated the 31st of April", "enkat.csv", lambda: csv_bytes(wave(40)),
         lambda path: ["survey", "import", "2023", str(path), "--as-of", "2023-04-31"], ("'2023-04-31' is not a date",)),
    # the definition files (ctc check names file and line)
    Case("areas.yml: a start that is no date", "", None, lambda path: ["check"], ("areas.yml:", "2018-13-03"),
         edit=("areas.yml", "start: 2018-09-03", "start: 2018-13-03")),
    Case("areas.yml: a start in words", "", None, lambda path: ["check"],
         ("areas.yml:78:", "'snart' is not a date", "YYYY-MM-DD"),
         edit=("areas.yml", "start: 2018-09-03", "start: snart")),
    Case("areas.yml: a role given twice from one day", "", None, lambda path: ["check"],
         ("areas.yml:", "given to both 'stadskontoret'", "from 2017-05-03"),
         edit=("areas.yml", "administration: arbetsmarknads_och_socialforvaltningen, from: 2024-09-01",
               "administration: arbetsmarknads_och_socialforvaltningen, from: 2017-05-03")),
    Case("areas.yml: an unknown administration", "", None, lambda path: ["check"],
         ("areas.yml:", "unknown administration 'socialen'"),
         edit=("areas.yml", "{role: analysfunktionen, administration: stadskontoret",
               "{role: analysfunktionen, administration: socialen")),
    Case("areas.yml: an unknown role", "", None, lambda path: ["check"], ("areas.yml:", "samordnar"),
         edit=("areas.yml", "role: central_samordnare, administration: stadskontoret",
               "role: samordnar, administration: stadskontoret")),
    Case("areas.yml: one delområde in two areas", "", None, lambda path: ["check"],
         ("areas.yml:", "delområde 'Lorensborg' is also in area bellevuegarden_lorensborg", "list it once"),
         edit=("areas.yml", "delomraden: [Bunkeflostrand, Vintrie]", "delomraden: [Bunkeflostrand, Vintrie, Lorensborg]")),
    Case("survey.yml: one code for two genders", "", None, lambda path: ["check"],
         ("survey.yml:", "code 'p' is also a code of flicka", "a code means one gender"),
         edit=("survey.yml", 'codes: ["flicka", "tjej", "f", "2"]', 'codes: ["flicka", "tjej", "f", "2", "p"]')),
    Case("web-link: a link that is already dead", "", None, lambda path: ["web-link", "samordnare", "--minutes", "-5"],
         ("--minutes -5", "1 to 1440 minutes")),
    Case("web-link: a link for a week", "", None,
         lambda path: ["web-link", "samordnare", "--minutes", "10080"], ("--minutes 10080", "1 to 1440 minutes")),
    Case("survey decide: before the wave it rests on", "", None,
         lambda path: ["survey", "decide", "hermodsdal_nydala_gullviksborg", "--wave", "2021", "--by",
                       "team_hermodsdal", "--factors", "konflikter_i_familjen,tillganglighet_droger",
                       "--as-of", "2021-03-01"], ("cannot rest on wave 2021", "imported 2021-04-01")),
    Case("areas.yml: two areas with one id", "", None, lambda path: ["check"], ("areas.yml:", "duplicate area id"),
         edit=("areas.yml", "id: bunkeflostrand_vintrie", "id: bellevuegarden_lorensborg")),
    Case("areas.yml: two people with one id", "", None, lambda path: ["check"],
         ("areas.yml:", "duplicate person id"), edit=("areas.yml", "id: ul_bunkeflo", "id: ul_bellevue")),
    Case("areas.yml: an area without delområden", "", None, lambda path: ["check"], ("areas.yml:", "delomraden"),
         edit=("areas.yml", "delomraden: [Bellevuegården, Lorensborg]", "delomraden: []")),
    Case("areas.yml: a password in a channel", "", None, lambda path: ["check"], ("areas.yml:", "notify"),
         edit=("areas.yml", 'notify: "env:CTC_NOTIFY_UL_BELLEVUE"',
               'notify: "mailtos://ul:hemligt@smtp.malmo.se"')),
    Case("areas.yml: broken YAML", "", None, lambda path: ["check"], ("areas.yml:",),
         edit=("areas.yml", "delomraden: [Bellevuegården, Lorensborg]", "delomraden: [Bellevuegården, Lorensborg")),
    Case("areas.yml: a tab for indentation", "", None, lambda path: ["check"], ("areas.yml:",),
         edit=("areas.yml", "    delomraden: [Bellevuegården, Lorensborg]", "\tdelomraden: [Bellevuegården, Lorensborg]")),
    Case("areas.yml: a person who ends before starting", "", None, lambda path: ["check"], ("areas.yml:",),
         edit=("areas.yml", "{id: ul_bellevue,", "{id: ul_bellevue, from: 2020-01-01, until: 2019-01-01,")),
    Case("phases.yml: a due rule on the 30th of February", "", None, lambda path: ["check"],
         ("phases.yml:", "02-30 is not a date"), edit=("phases.yml", "due: every 2 years from 2020 on 03-31",
                                                      "due: every 2 years from 2020 on 02-30")),
    Case("phases.yml: the KS report due on the 30th of February", "", None, lambda path: ["sync"],
         ("phases.yml:", "02-30 is not a date"), edit=("phases.yml", "every 2 years from 2020 on 04-30",
                                                      "every 2 years from 2020 on 02-30")),
    Case("phases.yml: a misspelt unit", "", None, lambda path: ["check"], ("phases.yml:", "weks"),
         edit=("phases.yml", "due: start + 2 weeks", "due: start + 2 weks")),
    Case("phases.yml: every 0 years", "", None, lambda path: ["check"], ("phases.yml:", "every 0 years"),
         edit=("phases.yml", "due: every 2 years from 2020 on 03-31", "due: every 0 years from 2020 on 03-31")),
    Case("phases.yml: week 54", "", None, lambda path: ["check"], ("phases.yml:", "week 54 does not exist"),
         edit=("phases.yml", "due: every 2 years from 2019 in week 10", "due: every 2 years from 2019 in week 54")),
    Case("phases.yml: from the year 1800", "", None, lambda path: ["check"], ("phases.yml:", "1800"),
         edit=("phases.yml", "due: every 2 years from 2019 in week 10", "due: every 2 years from 1800 in week 10")),
    Case("phases.yml: after a milestone that does not exist", "", None, lambda path: ["check"],
         ("phases.yml:", "finns_inte"), edit=("phases.yml", "due: start + 2 weeks", "due: after finns_inte + 2 weeks")),
    Case("phases.yml: broken YAML", "", None, lambda path: ["check"], ("phases.yml:",),
         edit=("phases.yml", "due: start + 2 weeks", "due: [start + 2 weeks")),
    Case("phases.yml: an empty file", "", None, lambda path: ["check"], ("phases.yml",),
         edit=("phases.yml", "", "")),
    Case("survey.yml: min_cell 0", "", None, lambda path: ["check"], ("survey.yml", "min_cell"),
         edit=("survey.yml", "min_cell: 10", "min_cell: 0")),
    Case("survey.yml: a factor with an unknown item", "", None, lambda path: ["check"], ("survey.yml", "finns_inte"),
         edit=("survey.yml", "items: [lag_anknytning_narsamhalle_1", "items: [finns_inte")),
    Case("survey.yml: broken YAML", "", None, lambda path: ["check"], ("survey.yml:",),
         edit=("survey.yml", "min_cell: 10", "min_cell: [10")),
    Case("programmes.yml: broken YAML", "", None, lambda path: ["check"], ("programmes.yml:",),
         edit=("programmes.yml", "programmes:", "programmes: [")),
    # more of what a hurried user types (the corpus's second round)
    Case("survey: a wave name of 21 characters", "enkat.csv", lambda: csv_bytes(wave(40)),
         lambda path: ["survey", "import", "2021-hosten-och-varen", str(path)], ("2021-hosten-och-varen",)),
    Case("survey: a wave name with a space", "enkat.csv", lambda: csv_bytes(wave(40)),
         lambda path: ["survey", "import", "2021 ht", str(path)], ("'2021 ht' is not a wave's name",)),
    Case("survey: grade 5", "arskurs.csv", lambda: csv_bytes(wave_with(1, "arskurs", "5")),
         survey_import, ("arskurs.csv:3: [arskurs]", "'5'")),
    Case("survey: a gender X", "kon.csv", lambda: csv_bytes(wave_with(8, "kon", "X")),
         survey_import, ("kon.csv:10: [kon]", "'X'")),
    Case("survey: a delområde with a letter doubled", "delomrade.csv",
         lambda: csv_bytes(wave_with(3, "delomrade", "Lorensborgg")), survey_import,
         ("delomrade.csv:5: [delomrade]", "did you mean 'Lorensborg'")),
    Case("survey: an answer of -1", "skala.csv", lambda: csv_bytes(wave_with(2, "konflikter_i_familjen_2", "-1")),
         survey_import, ("skala.csv:4: [konflikter_i_familjen_2]", "'-1'")),
    Case("survey: an answer of 2.5", "skala.csv", lambda: csv_bytes(wave_with(6, "konflikter_i_familjen_2", "2.5")),
         survey_import, ("skala.csv:8: [konflikter_i_familjen_2]", "'2.5'")),
    Case("survey: an answer of 99", "skala.csv", lambda: csv_bytes(wave_with(0, "konflikter_i_familjen_2", "99")),
         survey_import, ("skala.csv:2: [konflikter_i_familjen_2]", "'99'")),
    Case("survey: only a byte-order mark", "bom.csv", lambda: "\ufeff".encode("utf-8"), survey_import, ("bom.csv",)),
    Case("survey: no such workbook", "", None,
         lambda path: ["survey", "import", "2021", str(path / "saknas.xlsx")], ("saknas.xlsx",)),
    Case("survey: calibrate a file that is not there", "", None,
         lambda path: ["survey", "calibrate", str(path / "saknas.csv")], ("saknas.csv",)),
    Case("survey decide: an unknown area", "", None,
         lambda path: ["survey", "decide", "mollan", "--wave", "2021", "--by", "samordnare",
                       "--factors", "konflikter_i_familjen,tillganglighet_droger"], ("mollan",)),
    Case("survey decide: on a wave not imported", "", None,
         lambda path: ["survey", "decide", "hermodsdal_nydala_gullviksborg", "--wave", "2017", "--by", "samordnare",
                       "--factors", "konflikter_i_familjen,tillganglighet_droger"], ("2017",)),
    Case("survey decide: by someone unknown", "", None,
         lambda path: ["survey", "decide", "hermodsdal_nydala_gullviksborg", "--wave", "2021", "--by", "anna",
                       "--factors", "konflikter_i_familjen,tillganglighet_droger"], ("anna",)),
    Case("status: an area written with a space", "", None, lambda path: ["status", "--area", "Bellevue gården"],
         ("Bellevue gården",)),
    Case("approve: an unknown phase", "", None,
         lambda path: ["approve", "bellevuegarden_lorensborg", "mobilisation", "--by", "samordnare",
                       "--as-of", "2019-01-07"], ("mobilisation",)),
    Case("approve: by someone unknown", "", None,
         lambda path: ["approve", "bellevuegarden_lorensborg", "mobilisering", "--by", "anna",
                       "--as-of", "2019-01-07"], ("anna",)),
    Case("undo: an unknown area", "", None,
         lambda path: ["undo", "mollan", "kontaktperson_utsedd", "--by", "samordnare", "--as-of", "2018-09-10"],
         ("mollan",)),
    Case("undo: an unknown milestone", "", None,
         lambda path: ["undo", "bellevuegarden_lorensborg", "kontakt", "--by", "samordnare", "--as-of", "2018-09-10"],
         ("kontakt",)),
    Case("report: the year 3000", "", None, lambda path: ["report", "ks", "--period", "3000"], ("3000",)),
    Case("report: sent to the board before its period is over", "", None,
         lambda path: ["report", "ks", "--period", "2026", "--as-of", "2025-01-08", "--send", "--by", "samordnare"],
         ("2024–2025 is not over on 2025-01-08", "--before-period-end")),
    Case("report: two years as one period", "", None, lambda path: ["report", "ks", "--period", "2020-2021"],
         ("2020-2021",)),
    Case("outbox: release an id of letters", "", None, lambda path: ["outbox", "--release", "abc"],
         ("give message numbers as shown",)),
    Case("web-link: minutes in words", "", None, lambda path: ["web-link", "samordnare", "--minutes", "tio"],
         ("--minutes", "integer")),
    Case("web-link: a link of no minutes", "", None, lambda path: ["web-link", "samordnare", "--minutes", "0"],
         ("--minutes 0", "1 to 1440 minutes")),
    Case("web-link: a link a minute past a day", "", None,
         lambda path: ["web-link", "samordnare", "--minutes", "1441"], ("--minutes 1441", "1 to 1440 minutes")),
    Case("cost add: a year of letters", "", None,
         lambda path: ["cost", "add", "--year", "ifjol", "--administration", "stadskontoret", "--amount", "5000",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("--year", "integer")),
    Case("cost add: an amount of 1e400", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "stadskontoret", "--amount", "1e400",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("1e400",)),
    Case("cost add: the year 2099", "", None,
         lambda path: ["cost", "add", "--year", "2099", "--administration", "stadskontoret", "--amount", "5000",
                       "--by", "samordnare", "--as-of", "2024-01-15"], ("2099",)),
    Case("cost add: by someone unknown", "", None,
         lambda path: ["cost", "add", "--year", "2023", "--administration", "stadskontoret", "--amount", "5000",
                       "--by", "anna", "--as-of", "2024-01-15"], ("anna",)),
    Case("costs: no such workbook", "", None, lambda path: cost_import(path / "saknas.xlsx"), ("saknas.xlsx",)),
    Case("costs: an amount with a currency", "kostnad.csv", costs("2023;;stadskontoret;5000 dollar"), cost_import,
         ("kostnad.csv:2: [belopp]", "5000 dollar")),
    Case("costs: a year written as a date", "kostnad.csv", costs("2023-01-01;;stadskontoret;5000"), cost_import,
         ("kostnad.csv:2: [år]", "2023-01-01")),
    Case("a date with a time", "", None, lambda path: ["status", "--as-of", "2024-03-01T10:00"],
         ("2024-03-01T10:00",)),
    Case("month 0", "", None, lambda path: ["status", "--as-of", "2024-00-10"], ("'2024-00-10' is not a date",)),
    Case("an empty date", "", None, lambda path: ["sweep", "--as-of", ""], ("--as-of",)),
    Case("areas.yml: a start ten years ahead", "", None, lambda path: ["check"], ("areas.yml:", "2035"),
         edit=("areas.yml", "start: 2018-09-03", "start: 2035-09-03")),
    Case("areas.yml: a name of 10,000 characters", "", None, lambda path: ["check"], ("areas.yml:",),
         edit=("areas.yml", "name: Utvecklingsledare Bellevuegården", "name: " + "A" * 10_000)),
    Case("areas.yml: an area id with spaces", "", None, lambda path: ["check"], ("areas.yml:",),
         edit=("areas.yml", "id: bunkeflostrand_vintrie", "id: bunkeflostrand vintrie")),
    Case("survey.yml: min_cell -3", "", None, lambda path: ["check"], ("survey.yml", "min_cell"),
         edit=("survey.yml", "min_cell: 10", "min_cell: -3")),
    Case("programmes.yml: an empty file", "", None, lambda path: ["check"], ("programmes.yml",),
         edit=("programmes.yml", "", "")),
]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One city for the whole corpus, wave 2021 imported (cases that would replace it find it):
    a case that changes nothing leaves it as the next case finds it."""
    root = tmp_path_factory.mktemp("corpus")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_project(root, monkeypatch)
        init_database(date(2018, 8, 1))
        import_first_wave(root)
        yield root
    reset_settings()


def import_first_wave(folder: Path) -> None:
    first = folder / "forsta.csv"
    first.write_bytes(csv_bytes(wave()))
    import_wave("2021", first, date(2021, 4, 1))


def _tiered(case: Case) -> object:
    """A case that writes an Excel workbook is slow (a second or more): the fast tier leaves it."""
    heavy = "workbook" in case.name or "sheet" in case.name
    return pytest.param(case, marks=pytest.mark.slow) if heavy else case


@pytest.mark.parametrize("case", [_tiered(c) for c in CASES], ids=[c.name for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(case: Case, city: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / case.file if case.file else tmp_path
    if case.content is not None:
        path.write_bytes(case.content())
    before = database_hash()
    with edited(city, case.edit):
        code = main(case.args(path))

    out, err = capsys.readouterr()
    said = " ".join((out + err).split())
    assert code != 0, said
    assert "Traceback" not in out + err
    for words in case.says:
        assert " ".join(words.split()) in said, said
    assert database_hash() == before


@contextmanager
def edited(root: Path, edit: tuple[str, str, str] | None) -> Iterator[None]:
    if edit is None:
        yield
        return
    name, old, new = edit
    file = root / name
    original = file.read_text(encoding="utf-8")
    assert old in original, f"{old!r} is not in {name}"
    file.write_text(original.replace(old, new, 1) if old else new, encoding="utf-8")  # '' → the whole file
    try:
        yield
    finally:
        file.write_text(original, encoding="utf-8")


def test_an_impossible_date_in_areas_yml_is_named_with_its_line(project: Project,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = (project.root / "areas.yml").read_text(encoding="utf-8")
    line = text[:text.index("start: 2018-09-03")].count("\n") + 1
    project.edit("areas.yml", "start: 2018-09-03", "start: 2018-02-30")
    assert main(["check"]) == 2
    assert f"areas.yml:{line}: '2018-02-30' is not a date (day is out of range for month)" in capsys.readouterr().err


@pytest.mark.slow  # three waves read, one of them a workbook
def test_a_smaller_wave_replaces_the_old_one_when_asked_and_utf16_reads_as_utf8(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    init_database(date(2018, 8, 1))
    import_first_wave(tmp_path)
    smaller = tmp_path / "mindre.csv"
    smaller.write_bytes(wave().head(300).to_csv(sep="\t", index=False).encode("utf-16"))  # Excel's "Unicode text"
    assert main(["survey", "import", "2021", str(smaller), "--replace"]) == 0
    assert "survey wave 2021: 300 answers from mindre.csv" in capsys.readouterr().out
    second_sheet = tmp_path / "svar.xlsx"
    second_sheet.write_bytes(workbook({"Info": pd.DataFrame(), "Svar": wave(100, 4)}))
    assert main(["survey", "import", "2023", str(second_sheet)]) == 0  # the one sheet with data is read
    assert "survey wave 2023: 100 answers from svar.xlsx" in capsys.readouterr().out


@pytest.mark.slow  # exports with every oddity read whole
def test_what_only_looks_wrong_is_read(project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No false alarms: a school's name, respondent numbers of ten digits (a few pass the
    personnummer check by chance), grades with a decimal comma, an area written by its name."""
    init_database(date(2018, 8, 1))
    frame = wave(3000)
    numbers = pd.Series(np.random.default_rng(5).integers(1_000_000_000, 9_999_999_999, 3000)).astype(str)
    assert numbers.map(strength).gt(0).sum() >= 3  # some pass the check by chance, as real ones do
    frame = frame.assign(Skolnamn="Bellevueskolan", Respondent=numbers.to_numpy())
    frame.loc[frame["arskurs"] == "8", "arskurs"] = "8,0"
    frame.loc[0, "delomrade"] = "Bellevuegården/Lorensborg"
    path = tmp_path / "enkat.csv"
    path.write_bytes(csv_bytes(frame))
    assert main(["survey", "import", "2021", str(path)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "survey wave 2021: 3000 answers" in out and "columns not in survey.yml, ignored: Skolnamn, Respondent" in out

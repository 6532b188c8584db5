"""Reading a survey export as the real files come (ctcflow.core.tables: CSV or XLSX, `,` `;` or
tab, UTF-8, UTF-16 or Windows-1252, blank rows), decimal commas, answers as codes or labels.

Every problem is collected with its row and column before anything is imported; a file with
any problem imports nothing. Columns or values that look like personal data are refused: the
CTC-enkät is anonymous and must stay so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ctcflow.core.errors import InputFileError, Problem
from ctcflow.core.folding import fold
from ctcflow.core.personnummer import personnummer_like
from ctcflow.core.tables import read_table
from ctcflow.definition.organisation import OrganisationDef
from ctcflow.definition.process import Titles
from ctcflow.definition.survey import SurveyDef
from ctcflow.survey.delomraden import DELOMRADE, MAX_LISTED, Report, match_areas

AREA, GRADE, GENDER, GRADE_GROUP = "area_id", "arskurs", "kon", "grade_group"
# Header names as ``fold`` leaves them ('Delområde' → 'delomrade', 'Kön' → 'kon').
COLUMN_ALIASES = {
    "delomrade": DELOMRADE, "omrade": DELOMRADE, "skolans delomrade": DELOMRADE, "hemdelomrade": DELOMRADE,
    "arskurs": GRADE, "ak": GRADE, "klass": GRADE, "grade": GRADE,
    "kon": GENDER, "gender": GENDER,
}
# A person's name, number or contact — not a school's or a class's name ('Skolnamn' is no personal data).
PERSONAL_COLUMNS = re.compile(
    r"person\s*n(umme)?r|^pnr$|personal|^(f[oö]r|efter|elev|elevens|fullst[aä]ndigt|tilltals)?\s*namn$"
    r"|^(first|last|full|given|family|student|pupil)?\s*name$|e-?post|e-?mail|^mail$|telefon|phone|adress|address",
    re.I)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)


@dataclass
class SurveyData:
    """One row per pupil: area ('' outside the CTC areas), grade group, gender (None when not
    given) and the answers as numbers (NaN when not answered)."""

    frame: pd.DataFrame
    source: Path
    outside_areas: dict[str, int] = field(default_factory=dict)  # delområde → pupils
    ignored_columns: list[str] = field(default_factory=list)


def read_survey(path: Path, survey: SurveyDef, org: OrganisationDef, sheet: str | None = None) -> SurveyData:
    frame = read_table(path, sheet)
    problems: list[Problem] = []

    def problem(row: int | None, column: str | None, message: str, hint: str, key: str = "", **values: str) -> None:
        problems.append(Problem(path, row, column, message, hint, key, values))

    renamed = {c: COLUMN_ALIASES.get(fold(c), c) for c in frame.columns}
    frame = frame.rename(columns=renamed)
    for column in frame.columns:
        if PERSONAL_COLUMNS.search(column):
            problem(1, column, "looks like personal data; the survey is anonymous",
                    "remove the column from the export before importing", "personal_column")
    columns = set(frame.columns)
    for column in frame.columns:  # pandas reads a repeated header 'x' as 'x.1'
        base, dot, number = column.rpartition(".")
        if dot and number.isdigit() and base in columns:
            problem(1, base, "the column appears more than once", "keep one of them", "repeated_column")
    missing = [c for c in (DELOMRADE, GRADE, GENDER) if c not in frame.columns]
    missing += [i.id for i in survey.items if i.id not in frame.columns]
    if missing:
        on_sheet = f" on sheet '{frame.attrs['sheet']}'" if frame.attrs.get("sheet") else ""
        problem(1, None, f"missing columns{on_sheet}: {', '.join(missing[:30])}" + (" …" if len(missing) > 30 else ""),
                "the header must name delomrade, arskurs, kon and every item id of survey.yml", "missing_columns",
                columns=", ".join(missing[:30]) + (" …" if len(missing) > 30 else ""))
    if problems:
        raise InputFileError(path, problems)

    answer_columns = {i.id for i in survey.items}
    meta = [c for c in frame.columns if c not in answer_columns]
    frame[meta] = frame[meta].apply(lambda column: column.str.strip())
    suspects = frame[(frame[meta] == "").all(axis=1)]  # rows of blanks and spaces are no pupils either
    frame = frame.drop(index=suspects.index[suspects.apply(lambda column: column.str.strip() == "").all(axis=1)])
    for column in frame.columns:
        if column in answer_columns:
            continue  # anything but an answer code is refused there anyway
        values = frame[column]
        personal = personnummer_like(values) | values.str.match(EMAIL)
        for row in values.index[personal][:5]:
            problem(int(row), column, "a value looks like a personnummer or an e-mail address",
                    "the survey is anonymous: remove personal data from the export", "personal_value")

    result = pd.DataFrame(index=frame.index)
    result[AREA], outside = match_areas(frame[DELOMRADE], org, problem)
    result[DELOMRADE] = frame[DELOMRADE]
    result[GRADE_GROUP] = _coded(frame[GRADE], {_grade_key(g): group.id for group in survey.grade_groups
                                                 for g in group.grades}, GRADE, problem, required=True,
                                 key=_grade_key)
    result[GENDER] = _coded(frame[GENDER], {fold(c): g.id for g in survey.genders for c in g.codes},
                            GENDER, problem, required=False, key=fold)
    answers = {item.id: _answers(frame[item.id], survey.answer_scales[item.scale].codes, item.id, problem)
               for item in survey.items}
    result = pd.concat([result, pd.DataFrame(answers, index=frame.index)], axis=1)
    if problems:
        raise InputFileError(path, problems)
    known = {DELOMRADE, GRADE, GENDER, *(i.id for i in survey.items)}
    return SurveyData(result, path, outside, [c for c in frame.columns if c not in known])


def _grade_key(value: str) -> str:
    """'åk 8', 'Åk8', '8', '8.0', '8,0' → '8'; 'Gy 1', 'GY1' → 'gy1'."""
    key = fold(value).replace(" ", "")
    key = re.sub(r"^(ak|arskurs)", "", key)
    return re.sub(r"[.,]0$", "", key)


def _coded(values: pd.Series, mapping: dict[str, str], column: str, problem: Report, *,
           required: bool, key: Callable[[str], str]) -> pd.Series:
    keys = values.map(key)
    coded = keys.map(mapping)
    bad = coded.isna() & ((keys != "") | required)
    for row, value in values[bad].head(MAX_LISTED).items():
        problem(int(row), column, f"'{value}' is not a known value" if value else "empty",
                f"use one of: {', '.join(sorted(set(mapping)))}", "unknown_value" if value else "empty_value",
                value=str(value), options=", ".join(sorted(set(mapping))))
    return coded.astype(object).where(coded.notna(), None)


def _answers(values: pd.Series, codes: dict[int, Titles], column: str, problem: Report) -> np.ndarray:
    """Codes as numbers ('3', ' 3', '3,0', '3.0') or labels in Swedish or English ('ja', 'JA!',
    'YES!'). Each distinct text is parsed once: a column holds only a handful of them."""
    labels: dict[str, float] = {}
    for code, titles in codes.items():
        for text in (titles.sv, titles.en):
            labels.setdefault(text.strip().lower(), float(code))
    allowed = set(map(float, codes))
    positions, distinct = pd.factorize(values)
    parsed = np.array([_answer(str(text), labels) for text in distinct] + [np.nan], dtype="float32")
    bad = [i for i, text in enumerate(distinct) if str(text).strip() and parsed[i] not in allowed]
    for row, value in values[np.isin(positions, bad)].head(20).items():
        problem(int(row), column, f"'{value}' is not an answer on this scale",
                f"use {', '.join(str(c) for c in codes)} or their labels", "not_on_scale", value=str(value),
                codes=", ".join(str(c) for c in codes))
    result: np.ndarray = parsed[positions]  # position -1 (a missing cell) takes the trailing NaN
    result[np.isin(positions, bad)] = np.nan
    return result


def _answer(text: str, labels: dict[str, float]) -> float:
    text = text.strip()
    if not text:
        return float("nan")
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return labels.get(text.lower(), float("nan"))

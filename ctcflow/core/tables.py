"""Reading a table file — a survey export, a cost sheet — as real files come, and naming every way
a file can fail to be one: empty, only a header, a binary file or a workbook under a .csv name,
UTF-16 from Excel's "Unicode text", data on several sheets of a workbook. An import never reads
such a file as "no rows" and replaces what is there with nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ctcflow.core.errors import CtcError

ZIP = b"PK\x03\x04"  # an .xlsx is a zip archive
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with a BOM, or as Excel's "Unicode text" without),
    else Windows-1252 (Excel's "CSV" on Windows), else Latin-1."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith(UTF16_BOMS):
        return raw.decode("utf-16")
    sample = raw[:4096]
    if sample and sample[1::2].count(0) > len(sample) // 4:
        return raw.decode("utf-16-le", errors="replace")
    if sample and sample[0::2].count(0) > len(sample) // 4:
        return raw.decode("utf-16-be", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise CtcError(f"{path}: the file is empty; export the table again, with its header row and its rows")
    if raw.startswith(ZIP):
        raise CtcError(f"{path}: this is an Excel workbook saved under a .csv name; rename it to .xlsx, "
                       "or save it from Excel as CSV")
    text = decode(raw)
    if "\x00" in text[:4096]:
        raise CtcError(f"{path}: not a table but a binary file; export the table as CSV or XLSX")
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=header.count)
    try:
        return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), sep=separator, dtype=str, keep_default_na=False,
                           skip_blank_lines=False, engine="c")
    except pd.errors.EmptyDataError:
        raise CtcError(f"{path}: the file has no header row; the first row must name the columns") from None
    except pd.errors.ParserError as exc:
        raise CtcError(f"{path}: not a readable CSV file ({exc}); every row needs as many cells as the header")\
            from None


class SeveralSheets(CtcError):
    """A workbook with data on more than one sheet: which one is meant is the importer's to say
    (``--sheet``, or the sheet chosen on the page) — never guessed."""

    def __init__(self, path: Path, sheets: list[tuple[str, int]]) -> None:
        self.path, self.sheets = path, sheets
        counts = ", ".join(f"'{name}' ({rows} rows)" for name, rows in sheets)
        super().__init__(f"{path}: data on {len(sheets)} sheets: {counts}; import one sheet at a time "
                         "(--sheet NAME), or put every row on one sheet")


def _workbook(path: Path, sheet: str | None) -> tuple[pd.DataFrame, str]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise CtcError(f"{path}: not a readable Excel workbook ({exc})") from None
    if sheet is not None:
        if sheet not in sheets:
            raise CtcError(f"{path}: no sheet named '{sheet}'; the workbook has {_names(sheets)}")
        return sheets[sheet], sheet
    filled = {name: frame for name, frame in sheets.items() if _rows(frame) or len(frame.columns)}
    if len(filled) > 1:
        raise SeveralSheets(path, [(name, _rows(frame)) for name, frame in filled.items()])
    if not filled:
        raise CtcError(f"{path}: every sheet is empty ({_names(sheets)}); export the table again")
    [(name, frame)] = filled.items()
    return frame, name


def _names(sheets: dict[str, pd.DataFrame]) -> str:
    return ", ".join(f"'{name}'" for name in sheets)


def _rows(frame: pd.DataFrame) -> int:
    return int((frame.fillna("").astype(str).apply(lambda column: column.str.strip()) != "").any(axis=1).sum())


def read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """All cells as stripped strings ('' when empty); the index is the row number in the file (or
    sheet: ``frame.attrs['sheet']`` names the one read). A file with a header and no rows is
    refused: there is nothing to import, and nothing may be replaced with nothing."""
    if not path.exists():
        raise CtcError(f"no such file: {path}")
    suffix = path.suffix.lower()
    sheet_read = None
    if suffix in (".xlsx", ".xlsm"):
        frame, sheet_read = _workbook(path, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        frame = _csv(path)
    else:
        raise CtcError(f"{path}: unknown file type '{suffix}'; export the table as .csv or .xlsx")
    frame = frame.fillna("").astype(str)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # row 1 is the header
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame[(frame != "").any(axis=1)]  # rows of empty cells (";;;;" from Excel) are no rows
    where = f" (sheet '{sheet_read}')" if sheet_read else ""
    if frame.empty:
        raise CtcError(f"{path}{where}: a header but no rows; nothing is imported, and nothing already there "
                       "is replaced")
    frame.attrs["sheet"] = sheet_read
    return frame

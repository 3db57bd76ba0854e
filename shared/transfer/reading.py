"""Reading an uploaded spreadsheet, which may be hostile.

Before anything parses it: the file's size is capped, and an XLSX (a zip) is opened by zipfile
first — too many entries, or more uncompressed bytes than the cap, and it is refused (a zip bomb
never reaches openpyxl). openpyxl then reads it in read-only mode through defusedxml (pinned), the
first worksheet only, at most MAX_COLUMNS columns and MAX_ROWS rows. Every cell becomes text of at
most MAX_CELL characters; a cell holding a formula is refused (the registry takes values, never
formulas). A CSV must be UTF-8 (Excel's "CSV UTF-8"), separated by commas, semicolons or tabs.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from shared.transfer.problems import FileRefused, refuse

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5_000_000
    max_rows: int = 10_000           # data rows, the header not counted
    max_blank_rows: int = 10_000     # empty rows skipped (formatted but empty rows of a real sheet)
    max_columns: int = 40
    max_cell: int = 2_000
    max_zip_entries: int = 200
    max_unzipped_bytes: int = 60_000_000


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]   # (row number as the spreadsheet shows it, cells)


def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise refuse("format", f"{name!r}: only .xlsx and .csv files are read (not .{suffix or '?'})")
    return suffix


def read_table(data: bytes, name: str, limits: Limits = Limits()) -> Table:
    """The header and the non-empty rows of the file's first sheet, every cell as text."""
    if len(data) > limits.max_bytes:
        raise refuse("too_large", f"the file has {len(data):,} bytes; at most {limits.max_bytes:,} are read")
    if not data:
        raise refuse("empty", "the file is empty")
    rows = _xlsx_rows(data, limits) if format_of(name) == "xlsx" else _csv_rows(data, limits)
    return _table(rows, limits)


def _check_zip(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            entries = z.infolist()
    except (zipfile.BadZipFile, ValueError) as e:
        raise refuse("not_xlsx", f"the file is not an XLSX workbook (not a zip: {e})") from None
    if len(entries) > limits.max_zip_entries:
        raise refuse("zip_bomb", f"the workbook holds {len(entries)} entries; at most {limits.max_zip_entries}")
    unzipped = sum(max(e.file_size, 0) for e in entries)
    if unzipped > limits.max_unzipped_bytes:
        raise refuse("zip_bomb", f"the workbook unpacks to {unzipped:,} bytes; at most {limits.max_unzipped_bytes:,}")


def _xlsx_rows(data: bytes, limits: Limits):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    _check_zip(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001 - whatever a broken workbook raises, the file is refused
        raise refuse("not_xlsx", f"the workbook cannot be read: {type(e).__name__}") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # the declared dimension is the file's word, not a fact
        for values in ws.iter_rows(values_only=True, max_col=limits.max_columns + 1):
            yield [_cell_text(v) for v in values]
    except FileRefused:
        raise
    except Exception as e:  # noqa: BLE001 - a malformed sheet (bad XML, an entity refused by defusedxml)
        raise refuse("not_xlsx", f"the worksheet cannot be read: {type(e).__name__}") from None
    finally:
        wb.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _csv_rows(data: bytes, limits: Limits):  # type: ignore[no-untyped-def]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise refuse("encoding", f"the CSV is not UTF-8 (byte {e.start}); save it as \"CSV UTF-8\"") from None
    if "\x00" in text:
        raise refuse("encoding", "the CSV holds NUL bytes: it is not a text file")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    except csv.Error as e:
        raise refuse("csv", f"the CSV cannot be read: {e}") from None


def _table(rows, limits: Limits) -> Table:  # type: ignore[no-untyped-def]
    header: list[str] | None = None
    out: list[tuple[int, list[str]]] = []
    blank = 0
    for number, cells in enumerate(rows, start=1):
        cells = _trim(cells)
        if not cells:
            blank += 1
            if blank > limits.max_blank_rows:
                raise refuse("too_many_rows", f"more than {limits.max_blank_rows:,} empty rows")
            continue
        if len(cells) > limits.max_columns:
            raise refuse("too_many_columns", f"row {number} has more than {limits.max_columns} columns", row=number)
        for index, cell in enumerate(cells):
            _check_cell(number, index, cell, limits)
        cells = [unquote(c) for c in cells]
        if header is None:  # the first non-empty row is the header
            header = cells
            continue
        if len(out) >= limits.max_rows:
            raise refuse("too_many_rows", f"the file has more than {limits.max_rows:,} data rows", row=number)
        out.append((number, cells))
    if header is None:
        raise refuse("empty", "the file has no header row")
    return Table(header, out)


def _trim(cells: list[str]) -> list[str]:
    cells = [c if isinstance(c, str) else _cell_text(c) for c in cells]
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


QUOTED = ("'=", "'+", "'-", "'@", "'\t", "'\r")


def unquote(cell: str) -> str:
    """A value the export quoted against CSV injection (shared/transfer/export.py) reads back as it was."""
    return cell[1:] if cell.startswith(QUOTED) else cell


def _check_cell(row: int, index: int, cell: str, limits: Limits) -> None:
    where = f"row {row}, column {index + 1}"
    if len(cell) > limits.max_cell:
        raise refuse("cell_too_long", f"{where}: {len(cell):,} characters; at most {limits.max_cell:,}",
                      row=row, column=str(index + 1), value=cell)
    if cell.startswith("="):
        raise refuse("formula", f"{where}: a formula ({cell[:40]!r}); the registry takes values only — "
                                "paste the values (Paste special → Values)", row=row, column=str(index + 1),
                      value=cell)

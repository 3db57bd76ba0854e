"""What is wrong with a file: one problem per row, column and rule broken."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    row: int | None      # the row number as the spreadsheet shows it (1 = the header); None: the whole file
    column: str | None   # the column's header as written in the file (or its canonical name)
    value: str | None    # the offending value, shortened
    rule: str            # a stable rule name: too_large, formula, unknown_header, required, ...
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


class FileRefused(Exception):
    """The file cannot be read at all (size, zip bomb, header): nothing in it is looked at further."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def refuse(rule: str, message: str, *, row: int | None = None, column: str | None = None,
           value: str | None = None) -> FileRefused:
    return FileRefused([Problem(row, column, short(value), rule, message)])


def short(value: object, limit: int = 80) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"

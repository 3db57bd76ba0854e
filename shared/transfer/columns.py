"""The columns of the two import sheets and the header mapping.

A header cell is matched after folding (case, diacritics, 'đ', punctuation ignored: shared/kit/text.py),
so "Xã/phường", "xa phuong", "XA-PHUONG" and the English "commune" all name the same column. A header
that names no column, or a column named twice, refuses the whole file with the allowed names.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.kit.text import fold
from shared.transfer.problems import Problem, FileRefused


@dataclass(frozen=True)
class Column:
    name: str                   # canonical (English) name: the template's second header language
    label: str                  # the Vietnamese header written in templates and exports
    aliases: tuple[str, ...] = ()
    required: bool = False


SITE_COLUMNS = (
    Column("reference_key", "Mã tham chiếu", ("ma", "ma dia ban", "key"), required=True),
    Column("kind", "Loại", ("loai hinh", "loai dia ban"), required=True),
    Column("name", "Tên", ("ten dia ban", "ten lang nghe"), required=True),
    Column("trade", "Nghề", ("nganh nghe", "nghe chinh")),
    Column("trade_group", "Nhóm nghề", ("nhom nganh",)),
    Column("craft_village_cluster", "CCN làng nghề", ("cum cong nghiep lang nghe",)),
    Column("old_district", "Quận/huyện cũ", ("huyen cu", "quan huyen")),
    Column("old_commune", "Xã/phường cũ", ("xa cu",)),
    Column("commune", "Xã/phường", ("xa phuong moi", "ma xa phuong")),
    Column("lat", "Vĩ độ", ("latitude",)),
    Column("lon", "Kinh độ", ("longitude", "lng")),
    Column("households", "Số hộ", ("so ho san xuat",)),
    Column("area_ha", "Diện tích (ha)", ("dien tich", "area")),
    Column("source", "Nguồn", ("nguon du lieu",)),
    Column("confidence", "Độ tin cậy", ()),
)

ESTABLISHMENT_COLUMNS = (
    Column("site_key", "Mã địa bàn", ("site", "site id", "ma tham chieu dia ban"), required=True),
    Column("registration_code", "Mã đăng ký", ("ma so doanh nghiep", "ma so thue"), required=True),
    Column("name", "Tên", ("ten co so",), required=True),
    Column("form", "Hình thức", ("loai hinh",), required=True),
    Column("trades", "Ngành nghề", ("nghe",)),
    Column("permit_type", "Loại giấy phép", ("giay phep",)),
    Column("permit_number", "Số giấy phép", ()),
    Column("permit_date", "Ngày cấp phép", ()),
    Column("hw_generator", "Chủ nguồn thải CTNH", ("chu nguon thai",)),
    Column("transporter", "Vận chuyển CTNH", ()),
    Column("treatment_facility", "Xử lý CTNH", ()),
    Column("licence_number", "Số giấy phép CTNH", ("license number",)),
    Column("licence_date", "Ngày cấp giấy phép CTNH", ("license date",)),
    Column("licence_waste_codes", "Mã CTNH được phép", ("waste codes", "ma ctnh", "license waste codes")),
)

SHEETS = {"sites": SITE_COLUMNS, "establishments": ESTABLISHMENT_COLUMNS}


def _lookup(columns: tuple[Column, ...]) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for col in columns:
        for name in (col.name, col.label, *col.aliases):
            table[fold(name)] = col
    return table


def map_header(sheet: str, header: list[str]) -> dict[int, Column]:
    """Column index → Column for one header row; FileRefused with every header problem at once."""
    columns = SHEETS[sheet]
    table = _lookup(columns)
    mapped: dict[int, Column] = {}
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    allowed = ", ".join(f"{c.label} / {c.name}" for c in columns)
    for index, text in enumerate(header):
        if not text.strip():
            continue
        col = table.get(fold(text))
        if col is None:
            problems.append(Problem(1, text, text[:80], "unknown_header",
                                    f"column {text!r} is not a column of the {sheet} sheet; allowed: {allowed}"))
        elif col.name in seen:
            problems.append(Problem(1, text, text[:80], "duplicate_header",
                                    f"column {text!r} names {col.name}, already given by column {seen[col.name]!r}"))
        else:
            seen[col.name] = text
            mapped[index] = col
    for col in columns:
        if col.required and col.name not in seen:
            problems.append(Problem(1, col.label, None, "missing_header",
                                    f"the {sheet} sheet needs a column {col.label!r} ({col.name})"))
    if problems:
        raise FileRefused(problems)
    return mapped

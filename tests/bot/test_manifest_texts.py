"""/manifest's catalogues (Vietnamese and English alike, every key the package uses) and the
pure parsing (bot/flows/manifest/parse.py)."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import get_args

import pytest
from fluent.syntax import FluentParser, ast

from bot.flows.manifest.parse import code_of, fmt_date, fmt_instant, fmt_kg, parse_date, parse_kg, plate, today
from bot.texts import LOCALES_DIR
from shared.contracts.manifests import CorrectionCode, ManifestState, PhysicalState, RejectionCode

# -- catalogues and parsing ------------------------------------------------------------------------
def ids_of(path) -> list[str]:  # type: ignore[no-untyped-def]
    body = FluentParser().parse(path.read_text("utf-8")).body
    assert not [e for e in body if isinstance(e, ast.Junk)], path
    return [e.id.name for e in body if isinstance(e, ast.Message)]


def test_the_english_catalogue_has_every_message_of_the_vietnamese_one():
    vi, en = ids_of(LOCALES_DIR / "vi" / "manifest.ftl"), ids_of(LOCALES_DIR / "en" / "manifest.ftl")
    assert len(vi) == len(set(vi)) and len(en) == len(set(en))
    assert set(vi) == set(en)
    assert all(i.startswith("mf-") for i in vi)
    others = set(ids_of(LOCALES_DIR / "vi" / "bot.ftl")) | set(ids_of(LOCALES_DIR / "en" / "bot.ftl"))
    assert not set(vi) & others
    package = LOCALES_DIR.parent / "flows" / "manifest"
    source = "\n".join(f.read_text("utf-8") for f in sorted(package.glob("*.py")))
    used = set(re.findall(r'"(mf-[a-z0-9-]+)"', source))
    used |= {f"mf-state-{s}" for s in get_args(ManifestState)} | {f"mf-pstate-{s}" for s in get_args(PhysicalState)}
    used |= {f"mf-{k}-{w}" for k in ("transporter", "facility") for w in ("none", "pick")}
    used |= {f"mf-reason-{r}" for r in ("twice", "turn", "own-signature", "resign")}
    used |= {f"mf-rcode-{c.replace('_', '-')}" for c in get_args(RejectionCode)}
    used |= {f"mf-ccode-{c.replace('_', '-')}" for c in get_args(CorrectionCode)}
    assert used <= set(vi), used - set(vi)
    assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵđêếềệểễôốồộổỗơớờợởỡưứừựửữ]", (LOCALES_DIR / "vi" / "manifest.ftl").read_text())


@pytest.mark.parametrize("text, kg", [
    ("12,5", 12.5), ("12.5", 12.5), ("40", 40.0), ("40 kg", 40.0), ("1.250,5", 1250.5), ("1,250.5", 1250.5),
    ("1.234.567", 1234567.0), ("-5", -5.0), ("0", 0.0), ("abc", None), ("", None), ("12,5,3", None),
    ("1e5", None), ("nan", None), ("kg", None), ("1.2.3", None),
])
def test_quantities_are_read_as_people_type_them(text, kg):
    assert parse_kg(text) == kg


def test_dates_codes_and_kilograms_are_read_and_written_the_local_way():
    assert parse_date("05/03/2025") == parse_date("5/3/2025") == parse_date("2025-03-05") == date(2025, 3, 5)
    assert parse_date("31/02/2025") is None and parse_date("mai") is None
    assert parse_date("Hôm nay") == parse_date("today") == today()
    assert code_of("160106") == code_of("16-01-06") == code_of(" 16 01 06 ") == "16 01 06"
    assert code_of("16 01") is None and code_of("abcdef") is None
    assert fmt_kg("vi", 1250.5) == "1.250,5" and fmt_kg("en", 1250.5) == "1,250.5" and fmt_kg("vi", 40.0) == "40"
    assert fmt_date("2025-03-05") == "05/03/2025"
    assert fmt_instant("2025-03-05T18:30:00+00:00") == "06/03/2025"      # 01:30 in Hanoi, the next day
    assert fmt_instant("2025-03-05T10:00:00+00:00") == "05/03/2025" and fmt_instant(None) == "—"
    assert parse_date("hôm qua") is None and parse_date("Hôm qua", yesterday=True) == today() - timedelta(days=1)
    assert plate("29c-123.45") == "29C-123.45" and plate("29C  123") == "29C 123"
    assert plate("AB") is None and plate("12345") is None and plate("ABCDE") is None


def test_parsing_has_no_telegram_in_it():
    source = (LOCALES_DIR.parent / "flows" / "manifest" / "parse.py").read_text("utf-8")
    assert "telegram" not in source


def test_no_flow_imports_the_composition_root():
    flows = LOCALES_DIR.parent / "flows"
    for path in flows.rglob("*.py"):
        assert not re.search(r"^\s*(from bot\.app |from bot import app|import bot\.app)", path.read_text("utf-8"),
                             re.M), path

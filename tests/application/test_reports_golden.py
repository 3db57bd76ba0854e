"""Reports render exactly as issued: golden files for Markdown, CSV and HTML.
Regenerate after an intended change with: LANGXANH_UPDATE_GOLDEN=1 pytest tests/application/test_reports_golden.py"""
import os
from pathlib import Path

import pytest

from shared.reports import RENDERERS

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def target(num, den, goal, status):
    return {"numerator": num, "denominator": den, "ratio": round(num / den, 4) if den else None, "target": goal,
            "status": status, "sites": []}


REPORT = {
    "id": "00000000-0000-0000-0000-0000000000aa", "period": "2025Q4", "unit": None,
    "issued_at": "2026-01-15T02:00:00Z", "as_of": "2026-01-15T02:00:00Z",
    "units": [
        {"unit": "city:hanoi", "targets": {"hw_treated": target(990.0, 1500.0, 1.0, "off_track"),
                                           "clusters_with_wwtp": target(1, 3, 1.0, "off_track"),
                                           "villages_classified": target(2, 3, 0.7, "at_risk"),
                                           "villages_meeting_conditions": target(1, 3, None, "no_data")}},
        {"unit": "district:gia-lam", "targets": {"hw_treated": target(990.0, 1500.0, 1.0, "off_track"),
                                                 "clusters_with_wwtp": target(1, 1, 1.0, "on_track"),
                                                 "villages_classified": target(1, 2, 1.0, "off_track"),
                                                 "villages_meeting_conditions": target(1, 2, 1.0, "off_track")}},
        {"unit": "district:hoai-duc", "targets": {t: target(0, 0, None, "no_data") for t in
                                                  ("hw_treated", "clusters_with_wwtp", "villages_classified",
                                                   "villages_meeting_conditions")}},
    ],
    "trend": {t: [{"period": p, "ratio": r} for p, r in (("2025Q2", 0.2), ("2025Q3", None), ("2025Q4", 0.3333))]
              for t in ("hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions")},
}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_report_renders_exactly_as_the_golden_file(fmt):
    rendered = RENDERERS[fmt](REPORT)
    path = GOLDEN / f"report_2025Q4.{fmt}"
    if os.environ.get("LANGXANH_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")
    assert rendered == RENDERERS[fmt](REPORT)  # the same report renders the same, every time


def test_html_report_has_a_chart_per_target_and_the_worst_units():
    page = RENDERERS["html"](REPORT)
    assert page.count("<svg") == 8 and "Đơn vị yếu nhất" in page and "district:hoai-duc" in page

"""Rendering of issued indicator reports: Markdown, CSV and a self-contained HTML page with SVG
charts (progress per unit, trend per target). Pure functions of the report's data, so a report
is rendered again exactly as issued."""
from __future__ import annotations

import csv
import html
import io

TARGET_NAMES = {
    "hw_treated": "CTNH được xử lý (kg xử lý / kg bàn giao)",
    "clusters_with_wwtp": "CCN có trạm XLNT đang vận hành",
    "villages_classified": "Làng nghề được đánh giá, phân loại (còn hiệu lực)",
    "villages_meeting_conditions": "Làng nghề đáp ứng điều kiện BVMT (Điều 56)",
}
STATUS_VI = {"on_track": "đúng lộ trình", "at_risk": "có nguy cơ chậm", "off_track": "chậm lộ trình", "no_data": "chưa có số liệu"}


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f} %"


def worst(report: dict, n: int = 5) -> list[tuple[str, str, float]]:
    rows = [(u["unit"], t, f["ratio"]) for u in report["units"] if u["unit"] != "city:hanoi"
            for t, f in u["targets"].items() if f["ratio"] is not None]
    return sorted(rows, key=lambda r: (r[2], r[0], r[1]))[:n]


def to_markdown(report: dict) -> str:
    out = [f"# Báo cáo chỉ tiêu Kế hoạch 307/KH-UBND — {report['period']}", "",
           f"Phát hành: {report['issued_at']} · Số liệu tính đến: {report['as_of']} · Mã: `{report['id']}`", ""]
    for t, name in TARGET_NAMES.items():
        out += [f"## {name}", "", "| Đơn vị | Tử số | Mẫu số | Tỉ lệ | Lộ trình | Tình trạng |", "|---|---:|---:|---:|---:|---|"]
        for u in report["units"]:
            f = u["targets"][t]
            out.append(f"| {u['unit']} | {f['numerator']:g} | {f['denominator']:g} | {pct(f['ratio'])} | "
                       f"{pct(f['target'])} | {STATUS_VI[f['status']]} |")
        out.append("")
    out += ["## Đơn vị yếu nhất", ""] + [f"- {unit}: {TARGET_NAMES[t]} — {pct(r)}" for unit, t, r in worst(report)]
    return "\n".join(out).rstrip() + "\n"


def to_csv(report: dict) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["period", "unit", "target", "numerator", "denominator", "ratio", "roadmap_target", "status"])
    for u in report["units"]:
        for t, f in u["targets"].items():
            w.writerow([report["period"], u["unit"], t, f["numerator"], f["denominator"],
                        "" if f["ratio"] is None else f["ratio"], "" if f["target"] is None else f["target"], f["status"]])
    return buf.getvalue()


def _bars(report: dict, target: str) -> str:
    units = [u for u in report["units"] if u["targets"][target]["ratio"] is not None]
    height = 22 * len(units) + 10
    rows = []
    for i, u in enumerate(units):
        f = u["targets"][target]
        y = 5 + 22 * i
        rows.append(f'<text x="0" y="{y + 14}" font-size="11">{html.escape(u["unit"])}</text>'
                    f'<rect x="200" y="{y}" width="{300 * f["ratio"]:.1f}" height="16" fill="#2e7d32"/>'
                    + (f'<line x1="{200 + 300 * f["target"]:.1f}" x2="{200 + 300 * f["target"]:.1f}" y1="{y - 2}" '
                       f'y2="{y + 18}" stroke="#c62828" stroke-width="2"/>' if f["target"] is not None else "")
                    + f'<text x="{510}" y="{y + 14}" font-size="11">{pct(f["ratio"])}</text>')
    return f'<svg role="img" aria-label="{target}" width="580" height="{height}">{"".join(rows)}</svg>'


def _trend(report: dict, target: str) -> str:
    points = report["trend"][target]
    xs = [20 + 60 * i for i in range(len(points))]
    coords = [(x, 110 - 100 * p["ratio"]) for x, p in zip(xs, points) if p["ratio"] is not None]
    line = " ".join(f"{x:.0f},{y:.1f}" for x, y in coords)
    labels = "".join(f'<text x="{x - 15}" y="128" font-size="9">{p["period"]}</text>' for x, p in zip(xs, points))
    width = 40 + 60 * len(points)
    guides = "".join(f'<line x1="10" x2="{width}" y1="{y}" y2="{y}" stroke="#ddd"/>'
                     f'<text x="{width - 30}" y="{y - 2}" font-size="9">{label}</text>'
                     for y, label in ((10, "100 %"), (60, "50 %"), (110, "0 %")))
    dots = "".join(f'<circle cx="{x:.0f}" cy="{y:.1f}" r="3" fill="#1565c0"/>' for x, y in coords)
    return (f'<svg role="img" aria-label="trend {target}" width="{width}" height="135">{guides}'
            f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{line}"/>{dots}{labels}</svg>')


def to_html(report: dict) -> str:
    parts = [f"<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Báo cáo {report['period']}</title>"
             "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px}</style></head><body>",
             f"<h1>Báo cáo chỉ tiêu Kế hoạch 307/KH-UBND — {report['period']}</h1>",
             f"<p>Phát hành {html.escape(report['issued_at'])} · mã <code>{report['id']}</code></p>"]
    for t, name in TARGET_NAMES.items():
        parts.append(f"<h2>{html.escape(name)}</h2>")
        parts.append("<table><tr><th>Đơn vị</th><th>Tử số</th><th>Mẫu số</th><th>Tỉ lệ</th><th>Lộ trình</th><th>Tình trạng</th></tr>")
        for u in report["units"]:
            f = u["targets"][t]
            parts.append(f"<tr><td>{html.escape(u['unit'])}</td><td>{f['numerator']:g}</td><td>{f['denominator']:g}</td>"
                         f"<td>{pct(f['ratio'])}</td><td>{pct(f['target'])}</td><td>{STATUS_VI[f['status']]}</td></tr>")
        parts.append("</table>")
        parts.append('<div style="display:flex;align-items:flex-start;gap:2em;margin:1em 0">'
                     f"{_bars(report, t)}{_trend(report, t)}</div>")
    parts.append("<h2>Đơn vị yếu nhất</h2><ul>" + "".join(
        f"<li>{html.escape(unit)}: {html.escape(TARGET_NAMES[t])} — {pct(r)}</li>" for unit, t, r in worst(report)) + "</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


RENDERERS = {"md": to_markdown, "csv": to_csv, "html": to_html}


# -- the spreadsheet (issue 14): the same figures, a sheet per view ---------------------------------
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text_cell(ws, row: int, col: int, value) -> None:  # type: ignore[no-untyped-def]
    """A cell whose text is never taken for a formula (a site named '=HYPERLINK(…)' stays text)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def _sheet(ws, header: list[str], rows: list[list]) -> None:  # type: ignore[no-untyped-def]
    for c, name in enumerate(header, 1):
        _text_cell(ws, 1, c, name)
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            _text_cell(ws, r, c, value)
    for c, name in enumerate(header, 1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = max(12, len(name) + 2)


def to_xlsx(report: dict) -> bytes:
    """An Excel workbook: the figures (as the CSV, with the target's Vietnamese name and the status
    in words), the trend per target, and the sites behind each figure when the report has them."""
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    issued = datetime.fromisoformat(report["issued_at"].replace("Z", "+00:00")).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = issued  # the file says when the report was issued
    wb.properties.title = f"Báo cáo chỉ tiêu Kế hoạch 307/KH-UBND — {report['period']}"
    figures = wb.active
    figures.title = "Chỉ tiêu"
    _sheet(figures, ["period", "unit", "target", "target_name", "numerator", "denominator", "ratio", "roadmap_target",
                     "status", "status_vi"],
           [[report["period"], u["unit"], t, TARGET_NAMES.get(t, t), f["numerator"], f["denominator"], f["ratio"],
             f["target"], f["status"], STATUS_VI.get(f["status"], f["status"])]
            for u in report["units"] for t, f in u["targets"].items()])
    periods = [p["period"] for p in next(iter(report["trend"].values()), [])]
    _sheet(wb.create_sheet("Xu hướng"), ["target", *periods],
           [[t, *[p["ratio"] for p in points]] for t, points in report["trend"].items()])
    _sheet(wb.create_sheet("Cơ sở"), ["unit", "target", "site_id", "name", "counted"],
           [[u["unit"], t, s["site_id"], s["name"], bool(s["counted"])]
            for u in report["units"] for t, f in u["targets"].items() for s in f.get("sites", [])])
    _sheet(wb.create_sheet("Thông tin"), ["field", "value"],
           [["id", str(report["id"])], ["period", report["period"]], ["unit", report.get("unit") or "city:hanoi"],
            ["issued_at", report["issued_at"]], ["as_of", report["as_of"]]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# the downloads of an issued report: format -> (renderer, content type); text renderers give str
DOWNLOADS = {"md": (to_markdown, "text/markdown; charset=utf-8"), "html": (to_html, "text/html; charset=utf-8"),
             "csv": (to_csv, "text/csv; charset=utf-8"), "xlsx": (to_xlsx, XLSX_TYPE)}


def download_name(report: dict, fmt: str) -> str:
    """The file name a download is saved as: bao-cao-<period>[-<unit>]-<id prefix>.<fmt> (ASCII only)."""
    unit = (report.get("unit") or "").replace(":", "-")
    return f"bao-cao-{report['period']}{'-' + unit if unit else ''}-{str(report['id'])[:8]}.{fmt}"

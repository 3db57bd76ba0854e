"""What /monitoring shows (bot/flows/monitoring.py): the card to confirm, and the service's
evaluation of the filed results (services/inspections/limits.py rows: the limit, its source — the
table or the permit's stricter one —, the exceedance factor, exceeded or not, the reason the table
applies) in the user's language. Pure: texts from the catalogue, numbers the local way."""
from __future__ import annotations

from bot.flows.manifest.parse import fmt_date
from bot.flows.monitoring_parse import Catalogue
from bot.texts import t
from shared.contracts.documents_answers import MonitoringFiled, SampleEvaluated

REASONS = ("before_successor", "transition", "transition_assumed", "new_facility", "transition_ended")
KINDS = ("pdf", "docx", "xlsx")


def num(lng: str, value: float | int | None) -> str:
    """80.0 → '80', 7.25 → '7,25' (vi) / '7.25' (en), 0.0005 → '0,0005'; thousands grouped."""
    if value is None:
        return "—"
    v = float(value)
    text = f"{v:,.6f}".rstrip("0").rstrip(".")
    if text in ("0", "-0") and v != 0:
        text = f"{v:.3g}"
    if lng != "en":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def sample_line(lng: str, s: dict) -> str:
    factors = "".join(f" {k.capitalize()}={num(lng, s[k])}" for k in ("kq", "kf") if s.get(k) is not None)
    return t(lng, "mon-card-line", name=s["parameter"], value=num(lng, s["value"]), unit=s["unit"], factors=factors)


def card(lng: str, d: dict) -> str:
    """The results as the bot read them, the document if any, before anything is filed."""
    doc = d.get("document")
    document = (t(lng, "mon-card-document", kind=t(lng, f"ar-kind-{doc['kind']}") if doc.get("kind") in KINDS else "",
                  kb=max(1, round(int(doc.get("bytes") or 0) / 1000)))
                if doc else t(lng, "mon-card-no-document"))
    return t(lng, "mon-card", day=fmt_date(d["sampled_on"]), count=len(d["samples"]),
             lines="\n".join(sample_line(lng, s) for s in d["samples"]), document=document)


def limit_text(lng: str, row: SampleEvaluated) -> str:
    unit = "" if row.unit == "-" else f" {row.unit}"
    if row.limit_min is not None:
        text = t(lng, "mon-limit-range", low=num(lng, row.limit_min), high=num(lng, row.limit_max), unit=unit)
    else:
        text = t(lng, "mon-limit-max", high=num(lng, row.limit_max), unit=unit)
    if row.limit_source == "permit":
        text += " " + t(lng, "mon-limit-permit")
    elif row.permit_verdict == "unit_differs":
        text += " " + t(lng, "mon-limit-permit-unit")
    return text


def row_line(lng: str, row: SampleEvaluated) -> str:
    unit = "" if row.unit == "-" else f" {row.unit}"
    args = {"name": row.parameter, "value": num(lng, row.value), "unit": unit, "limit": limit_text(lng, row)}
    if row.exceeds:
        return t(lng, "mon-row-over", factor=num(lng, row.exceedance), **args)
    return t(lng, "mon-row-within", **args)


def reason(lng: str, code: str | None, cat: Catalogue) -> str:
    if code not in REASONS:
        return t(lng, "mon-reason-unknown")
    facts = {k: fmt_date(v) if k != "successor" else v for k, v in cat.transition.items() if v}
    return t(lng, f"mon-reason-{code}", **{"successor": "—", "new_from": "—", "existing_before": "—", "until": "—",
                                           **facts})


def evaluation(lng: str, sampled_on: str, answer: MonitoringFiled, cat: Catalogue) -> str:
    """The filing's answer: which table applied and why, each parameter within or over its limit."""
    rows, over = answer.samples, answer.over
    first = rows[0] if rows else None
    table = str(first.limit_table if first and first.limit_table else "—").split(";", 1)[0]
    return t(lng, "mon-filed", day=fmt_date(sampled_on), ref=answer.ref or "—", table=table,
             version=(first.limit_version if first else None) or "—",
             reason=reason(lng, first.limit_reason if first else None, cat),
             rows="\n".join(row_line(lng, r) for r in rows),
             verdict=t(lng, "mon-verdict-over", count=over, total=len(rows)) if over
             else t(lng, "mon-verdict-within", total=len(rows)))


__all__ = ["card", "evaluation", "num"]

"""Codes in words: what an event, a detail of it, or a value of the registry is called in the
user's language (bot/locales/<lang>/labels.ftl). A code with no label yet gets a neutral word,
never the identifier itself inside a Vietnamese sentence."""
from __future__ import annotations

from datetime import date

from bot.texts import has, norm, t

NUMBERS = {"fine_vnd", "total_kg"}
DATES = {"scheduled_for"}


def event_label(lng: str, event: str) -> str:
    key = f"ev-{event}"
    return t(lng, key) if has(lng, key) else t(lng, "ev-unknown")


def value_label(lng: str, domain: str, value: object) -> str:
    """The value `value` of the code list `domain` (a detail field, `item`, `violation`...)."""
    if value is None or value == "":
        return "—"
    key = f"dv-{domain}-{value}"
    return t(lng, key) if has(lng, key) else t(lng, "dv-unknown")


def reason_label(lng: str, code: str) -> str:
    """A reason code: the incident reasons of bot.ftl first, then any public reason code."""
    key = f"reason-{code}"
    return t(lng, key) if has(lng, key) else value_label(lng, "reason_code", code)


def number(lng: str, value: float | int) -> str:
    """1500000 → 1.500.000 (vi) or 1,500,000 (en)."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return text.replace(",", ".") if norm(lng) == "vi" and float(value).is_integer() else text


def detail_value(lng: str, field: str, value: object) -> str:
    """A public event's detail as shown: code lists in words, numbers and dates as people write them,
    names and numbers of documents as they are (they are data, not identifiers)."""
    if field in NUMBERS and isinstance(value, (int, float)):
        return number(lng, value)
    if field in DATES and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if field in ("name", "number", "decision_number", "unit"):
        return str(value)
    return value_label(lng, field, value)


def day(value: date | None) -> str:
    """A day as residents read it: dd/mm/yyyy (— when there is none)."""
    return value.strftime("%d/%m/%Y") if value else "—"


def detail_line(lng: str, field: str, value: object) -> str:
    label = t(lng, f"detail-{field}") if has(lng, f"detail-{field}") else t(lng, "dv-unknown")
    return f"• {label}: {detail_value(lng, field, value)}"

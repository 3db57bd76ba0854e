"""Codes are shown in words: every public event type, every detail a push lists and its values,
the site card's codes, in both languages; never an identifier inside a Vietnamese text."""
from __future__ import annotations

import importlib
import re
import typing
from uuid import uuid4

import pytest

from bot.cards import card_text
from bot.feed import DETAIL_FIELDS, render
from bot.labels import event_label
from bot.texts import has, t
from shared.contracts import inspections, sites
from shared.contracts.indicators_answers import StatusCard
from shared.contracts.sites_answers import SiteCard

CONTRACTS = ("indicators", "inspections", "manifests", "sites")
IDENT = re.compile(r"\b[a-z]+_[a-z_]+\b")  # snake_case: an identifier, not a word


def public_events():
    for name in CONTRACTS:
        yield from importlib.import_module(f"shared.contracts.{name}").PUBLIC_EVENTS


def literals(annotation) -> set[str]:  # type: ignore[no-untyped-def]
    out = set()
    for a in [annotation, *typing.get_args(annotation)]:
        if typing.get_origin(a) is typing.Literal:
            out |= {str(v) for v in typing.get_args(a)}
    return out


@pytest.mark.parametrize("lng", ["vi", "en"])
def test_every_public_event_has_a_label(lng):
    events = [e.event for e in public_events()]
    assert len(events) > 40
    assert [e for e in events if not has(lng, f"ev-{e}")] == []


@pytest.mark.parametrize("lng", ["vi", "en"])
def test_every_detail_a_push_lists_and_every_value_it_can_take_has_a_label(lng):
    missing = [f for f in DETAIL_FIELDS if not has(lng, f"detail-{f}")]
    for event in public_events():
        for field in DETAIL_FIELDS:
            if field in event.model_fields:
                missing += [f"{event.event}.{field}={v}" for v in literals(event.model_fields[field].annotation)
                            if not has(lng, f"dv-{field}-{v}")]
    assert missing == []


def test_a_push_names_its_event_and_details_in_words_never_identifiers():
    row = {"lang": "vi", "key": "push-event", "args": {
        "event": "incident_triaged", "commune": None, "time": "2026-12-01T03:00:00Z",
        "details": {"category": "open_burning", "priority": "urgent", "fine_vnd": 1500000}}}
    text = render(row)
    assert text.splitlines()[1:] == ["• Loại vấn đề: đốt lộ thiên", "• Mức ưu tiên: khẩn cấp",
                                     "• Mức phạt (đồng): 1.500.000"]
    assert not IDENT.findall(text) and "urgent" not in text
    row["args"] |= {"event": "manifest_copy4_returned", "details": {"reason_code": "wrong_waste_type"}}
    assert t("vi", "ev-manifest_copy4_returned") in render(row) and "sai loại chất thải" in render(row)
    row["args"]["event"] = "something_new_later"  # a type added after this release: a neutral label
    assert event_label("vi", "something_new_later") == t("vi", "ev-unknown") and "something" not in render(row)
    row["lang"] = "en"
    assert render(row).startswith("🔔 " + t("en", "ev-unknown"))


@pytest.mark.parametrize("lng", ["vi", "en"])
def test_every_reason_a_reporter_is_pushed_is_in_words(lng):
    codes = literals(inspections.IncidentRejectionCode) | literals(inspections.IncidentClosingCode)
    for code in codes:
        assert has(lng, f"reason-{code}") or has(lng, f"dv-reason_code-{code}"), code
        text = render({"lang": lng, "key": "push-incident",
                       "args": {"ticket": "PA-1", "state": "closed", "reason": code}})
        assert not IDENT.findall(text), text
    unknown = render({"lang": lng, "key": "push-incident", "args": {"ticket": "PA-1", "state": "closed",
                                                                      "reason": "a_code_added_later"}})
    assert unknown.endswith(t(lng, "push-reason", reason=t(lng, "dv-unknown")))


@pytest.mark.parametrize("lng", ["vi", "en"])
def test_the_site_cards_codes_are_in_words(lng):
    for domain, values in {"water": sites.PollutionLevel, "item": sites.ConditionItem, "state": sites.ConditionState,
                           "status": sites.WwtpStatus, "confidence": sites.Confidence,
                           "violation": inspections.ViolationState}.items():
        assert [v for v in literals(values) if not has(lng, f"dv-{domain}-{v}")] == []
    site = SiteCard.model_validate({
        "id": uuid4(), "version": 3, "kind": "craft_village", "name": "Bát Tràng", "trade": "gốm sứ",
        "commune": "xa-bat-trang",
        "classification": {"date": "2026-01-05", "water": "severe", "air": "polluted", "soil": "not_polluted"},
        "conditions": {"central_wwtp": {"state": "not_met"}, "drainage": {"state": "in_progress"}},
        "wwtp": {"status": "under_construction"}, "source": "x", "confidence": "M"})
    card = StatusCard.model_validate({
        "last_inspection": "2026-11-20", "open_incidents": 1, "incidents_total": 2, "compliance_grid": [],
        "open_violations": [{"id": "v", "state": "sanction_decided",
                             "measures": [{"measure": "Nạo vét mương", "deadline": "2026-12-31"}]}],
        "manifests": {"count": 0, "handed_over_kg": 0, "treated_kg": 0}})
    text = card_text(lng, site, [], card)
    assert not IDENT.findall(text), IDENT.findall(text)
    assert t(lng, "dv-water-severe") in text and t(lng, "dv-violation-sanction_decided") in text
    assert "05/01/2026" in text and "20/11/2026" in text and "31/12/2026" in text  # days as residents write them
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert "(" + t(lng, "card-source-value", source="x", confidence=t(lng, "dv-confidence-M")).split("(")[1] in text


@pytest.mark.parametrize("lng", ["vi", "en"])
def test_every_state_category_kind_and_role_the_flows_show_has_a_label(lng):
    """/mine (state-, cat-), the card's title and site buttons (kind-), /link (role-): a code without a
    label would show as its Fluent key."""
    wanted = ({f"state-{s}" for s in literals(inspections.IncidentState)}
              | {f"cat-{c}" for c in literals(inspections.Category)}
              | {f"kind-{k}" for k in literals(sites.SiteKind)}
              | {f"role-{r}" for r in literals(sites.LinkRole)})
    assert sorted(k for k in wanted if not has(lng, k)) == []

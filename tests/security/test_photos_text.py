"""Issue 13: no text field of any RPC contract accepts a control character (NUL, C0/C1 but
TAB/LF/CR, lone surrogates, non-characters). A property over every field of every contract that
takes a string (or a list of strings), with the forbidden character anywhere in a random text;
the nested and untyped fields (dicts, models) are held by the contracts' safety net."""
import inspect
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydantic import ValidationError

from shared.contracts import audit, indicators, inspections, manifests, open311, sites
from shared.contracts.base import Command, Contract, LongText, ShortText
from shared.contracts.clean_text import FORBIDDEN, multi_line, single_line
from shared.kit.nameko_glue import invalid_from_validation

MODULES = (sites, inspections, manifests, indicators, audit)
FORBIDDEN_CHARS = st.one_of(
    st.sampled_from(["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9b",
                     "\x9f", "\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff"]),
    st.characters(min_codepoint=0, max_codepoint=0x9F).filter(lambda c: c not in "\t\n\r" and FORBIDDEN.match(c)),
)
PLAIN = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn")), max_size=20)


def contracts() -> list[type[Contract]]:
    out = []
    for module in MODULES:
        for _name, cls in vars(module).items():
            if inspect.isclass(cls) and issubclass(cls, Contract) and cls.__module__ == module.__name__:
                out.append(cls)
    return out


def _resolve(schema: dict, defs: dict) -> list[dict]:
    if "$ref" in schema:
        return _resolve(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    if "anyOf" in schema:
        return [s for option in schema["anyOf"] for s in _resolve(option, defs)]
    return [schema]


def text_fields() -> list[tuple[type[Contract], str, str]]:
    """(contract, field, "str" | "list") for every field that takes a string or a list of strings."""
    out = []
    for cls in contracts():
        schema = cls.model_json_schema()
        defs = schema.get("$defs", {})
        for field, prop in schema.get("properties", {}).items():
            options = _resolve(prop, defs)
            if any(o.get("type") == "string" for o in options):
                out.append((cls, field, "str"))
            elif any(o.get("type") == "array" and any(i.get("type") == "string" for i in _resolve(o.get("items", {}), defs))
                     for o in options):
                out.append((cls, field, "list"))
    return out


FIELDS = text_fields()


def test_the_property_covers_every_contract_and_their_text_fields():
    assert len(contracts()) >= 60 and len(FIELDS) >= 120
    names = {(c.__name__, f) for c, f, _ in FIELDS}
    assert {("RegisterSite", "name"), ("ReportIncident", "description"), ("ReportIncident", "address"),
            ("Reject", "reason"), ("StorePhoto", "data_b64"), ("RegisterSite", "command_id")} <= names


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(FIELDS), before=PLAIN, bad=FORBIDDEN_CHARS, after=PLAIN)
def test_no_contract_text_field_accepts_a_control_character(target, before, bad, after):
    cls, field, shape = target
    text = f"x{before}{bad}{after}x"  # inside the text: stripping whitespace cannot remove it
    value: Any = text if shape == "str" else [text]
    with pytest.raises(ValidationError) as e:
        cls.model_validate({field: value})
    refusals = [p for p in e.value.errors() if p["loc"][:1] == (field,)]
    assert refusals, f"{cls.__name__}.{field} accepted {text!r}"


@settings(max_examples=300, deadline=None)
@given(before=PLAIN, bad=FORBIDDEN_CHARS, after=PLAIN)
def test_free_text_is_refused_with_the_field_and_the_rule(before, bad, after):
    text = f"x{before}{bad}{after}x"
    with pytest.raises(ValidationError) as e:
        sites.RegisterSite.model_validate({"kind": "craft_village", "name": text, "old_district": "gia-lam"})
    error = invalid_from_validation(e.value)
    assert error.field == "name" and error.rule in ("control_character", "string_unicode")
    with pytest.raises(ValidationError) as e:
        inspections.ReportIncident.model_validate({"category": "dust", "description": f"Bụi {text}", "address": "Ngõ 5"})
    assert invalid_from_validation(e.value).field == "description"


@given(text=PLAIN)
def test_clean_text_passes_and_one_line_text_has_no_line_break(text):
    assert "\n" not in single_line(text) and "\t" not in single_line(text) and "\r" not in single_line(text)
    assert "\r" not in multi_line(text)
    assert FORBIDDEN.search(single_line(text)) is None


def test_multi_line_text_keeps_its_lines_and_tabs():
    incident = inspections.ReportIncident.model_validate(
        {"category": "dust", "description": "Dòng 1\r\nDòng 2\rDòng\t3", "address": "Ngõ\n5"})
    assert incident.description == "Dòng 1\nDòng 2\nDòng\t3" and incident.address == "Ngõ 5"


class Nested(Command):
    """Fields typed dict, list of dicts or Any: the safety net walks them."""

    data: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []


@pytest.mark.parametrize("payload,field", [
    ({"data": {"a": "ok\x00"}}, "data"), ({"data": {"k\x1b": 1}}, "data"), ({"rows": [{"x": ["y", "z\x9f"]}]}, "rows"),
    ({"command_id": "c-\x00"}, "command_id"),
])
def test_nested_and_untyped_values_are_walked(payload, field):
    with pytest.raises(ValidationError) as e:
        Nested.model_validate(payload)
    error = invalid_from_validation(e.value)
    assert (error.field, error.rule) == (field, "control_character")


def test_the_shared_types_refuse_on_their_own_outside_a_contract():
    from pydantic import TypeAdapter

    for kind in (ShortText, LongText):
        with pytest.raises(ValidationError) as e:
            TypeAdapter(kind).validate_python("a\x00b")
        assert e.value.errors()[0]["type"] == "control_character"


def test_open311_form_fields_refuse_control_characters():
    base = {"service_code": "dust", "description": "Bụi mịt mù", "address_string": "Ngõ 5"}
    for field in ("description", "address_string", "email", "first_name"):
        with pytest.raises(ValidationError) as e:
            open311.NewServiceRequest.model_validate({**base, field: "Ngõ\x00 5"})
        assert invalid_from_validation(e.value).field == field
    assert open311.NewServiceRequest.model_validate({**base, "description": "Bụi\r\nmịt mù"}).description == "Bụi\nmịt mù"

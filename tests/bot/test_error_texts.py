"""Every refusal a bot user can meet is the bot's own text, wholly in the user's language.

The inventory (tests/bot/error_inventory.py) reads every error code services and the kit can raise;
each must have a text of its own in both catalogues or be a deliberate fallback (bot/errors.py
FALLBACKS), and what the bot says for it never carries the service's English message.
"""
from __future__ import annotations

import ast as pyast
import re

import pytest
from fluent.syntax import FluentParser, ast

from bot.common import explain
from bot.errors import FALLBACKS, describe, describe_dict, fallback, specific
from bot.texts import LOCALES_DIR, has, t
from shared.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kit.rules import PYDANTIC_RULES, field_path
from tests.bot.error_inventory import BASES, FIXED_RULE, _files, _kinds, inventory, subclasses_with_init

CLASSES = {"not_found": NotFound, "forbidden": Forbidden, "invalid_input": InvalidInput, "conflict": Conflict}
WORD = re.compile(r"[A-Za-z]{5,}")  # an ASCII word longer than 4 letters: Vietnamese has few
# words of an English sentence that no Vietnamese text uses
ENGLISH = {"the", "and", "must", "not", "this", "that", "is", "are", "please", "error", "field", "invalid", "found",
           "with", "your", "you", "may", "only", "cannot", "already", "used", "missing", "allowed", "should",
           "input", "value", "required", "exists", "state", "such", "no", "of", "to", "be", "at", "most", "try",
           "again", "photo", "site", "code", "manifest", "report", "turn", "sign", "signed", "before"}


@pytest.fixture(scope="module")
def codes():
    found, unread = inventory()
    assert not unread, f"raises whose codes cannot be read; list them in DYNAMIC: {unread}"
    assert len(found) > 150  # the scan sees the services' raises, not an empty tree
    return found


def test_every_code_a_service_raises_has_a_text_of_its_own_or_is_a_listed_fallback(codes):
    missing = sorted({f"{c.field} {c.rule} ({c.where})" for c in codes
                      if not specific(c.field, c.rule) and not fallback(c.field, c.rule)})
    assert not missing


def test_every_fallback_is_a_code_that_is_raised(codes):
    raised = {(field_path(c.field), c.rule) for c in codes}
    rules = {c.rule for c in codes}
    stale = [f for f in FALLBACKS if (f not in raised if f[0] is not None else f[1] not in rules)]
    assert not stale


def test_the_inventory_knows_every_subclass_that_fixes_its_own_codes():
    trees = {p: pyast.parse(p.read_text("utf-8")) for p in _files()}
    kinds = _kinds(trees)
    assert {"OutOfTurn", "NotYourSignature", "SiteNotFound", "LinkCodeRejected"} <= set(kinds) - set(BASES)
    assert subclasses_with_init(trees, kinds) == set(FIXED_RULE)


def test_the_kits_validation_rules_have_texts_in_both_languages():
    """rpc_method sends a contract's pydantic error as InvalidInput(field=loc, rule=pydantic type)."""
    for pydantic_type, rule in PYDANTIC_RULES.items():
        assert specific(None, pydantic_type) and specific(None, rule), pydantic_type
    from pydantic import BaseModel, Field, ValidationError

    from shared.kit.nameko_glue import invalid_from_validation

    class Sample(BaseModel):
        description: str = Field(max_length=5)
        quantity_kg: float = Field(gt=0)

    with pytest.raises(ValidationError) as e:
        Sample(description="x" * 9, quantity_kg=1)
    error = invalid_from_validation(e.value)
    assert (error.field, error.rule) == ("description", "string_too_long")
    assert explain("vi", error) == t("vi", "err-rule-length", what=t("vi", "err-field-description"))
    with pytest.raises(ValidationError) as e:
        Sample.model_validate({"description": "x"})
    assert explain("en", invalid_from_validation(e.value)) == t("en", "err-rule-required",
                                                                  what=t("en", "err-field-quantity_kg"))
    assert describe("vi", "invalid_input", "no_label_yet", "missing") == t("vi", "err-rule-required",
                                                                         what=t("vi", "err-field-unknown"))


@pytest.mark.parametrize("lng", ["vi", "en"])
def test_no_service_message_shows_through(codes, lng):
    """In Vietnamese not one word of the service's English message; in English not the message either:
    the catalogue's sentence, the same for the error and for its dict form (bulk results)."""
    for c in codes:
        error = CLASSES[c.kind](c.message or "the service said something in English", c.field, c.rule)
        text = explain(lng, error)
        assert text and text != error.message, c.where
        if lng == "vi":
            assert error.message not in text, c.where
            leaked = {w.lower() for w in WORD.findall(error.message)} & {w.lower() for w in WORD.findall(text)}
            assert not leaked - {"jpeg", "webp"}, (c.where, text)
        assert describe_dict(lng, error.as_dict()) == text


def _values(lang: str, name: str) -> dict[str, str]:
    out = {}
    for entry in FluentParser().parse((LOCALES_DIR / lang / name).read_text("utf-8")).body:
        if isinstance(entry, ast.Message) and entry.value is not None:
            out[entry.id.name] = "".join(e.value for e in entry.value.elements if isinstance(e, ast.TextElement))
    return out


@pytest.mark.parametrize("name", ["errors.ftl", "labels.ftl"])
def test_the_vietnamese_texts_are_vietnamese(name):
    for key, value in _values("vi", name).items():
        words = {w.lower() for w in re.findall(r"(?<![/\w])[A-Za-z]+(?!\w)", value)}  # not /link
        assert not words & ENGLISH, (key, value)
        if len(value.split()) >= 3:  # a Vietnamese sentence has diacritics ("cao" alone may not)
            assert re.search(r"[^\x00-\x7f]", value), (key, value)


def test_the_most_specific_text_wins_and_unknown_codes_get_the_kinds_text():
    assert describe("vi", "not_found", "site_id", "exists") == t("vi", "err-at-site_id--exists")
    assert describe("vi", "not_found", "report_id", "exists") == t("vi", "err-rule-exists",
                                                                     what=t("vi", "err-field-report_id"))
    assert describe("vi", "invalid_input", "lines.3.quantity_kg", "greater_than") == t(
        "vi", "err-rule-range", what=t("vi", "err-field-quantity_kg"))
    assert describe("en", "conflict", "x", "no_such_rule_yet") == t("en", "err-kind-conflict")
    assert describe("vi", "forbidden", "actor", "signature") == t("vi", "err-kind-forbidden")  # a listed fallback
    assert describe("vi", "weird", None, None) == t("vi", "err-kind-invalid_input")
    assert all(has(lng, f"err-kind-{k}") for k in CLASSES for lng in ("vi", "en"))
    assert explain("vi", ValueError("boom")) == t("vi", "err-internal")

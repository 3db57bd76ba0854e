"""The rules an error can name, shared by every client that turns errors into its own texts (the bot,
the staff workspace): pydantic's error types mapped onto the kit's rule vocabulary, and a field path
without list positions. Plain data: it imports nothing from services/ or bot/."""
from __future__ import annotations

# pydantic's error types -> the rules our errors use (a client's catalogue has a text per rule)
PYDANTIC_RULES = {
    "missing": "required", "string_too_short": "required", "string_too_long": "length", "too_long": "length",
    "too_short": "length", "greater_than": "range", "greater_than_equal": "range", "less_than": "range",
    "less_than_equal": "range", "literal_error": "enum", "enum": "enum", "uuid_parsing": "format",
    "uuid_type": "format", "int_parsing": "number", "float_parsing": "number", "int_type": "number",
    "float_type": "number", "decimal_parsing": "number", "date_parsing": "date", "date_from_datetime_parsing": "date",
    "datetime_parsing": "date", "string_pattern_mismatch": "format", "bool_parsing": "enum", "value_error": "value",
    "extra_forbidden": "unknown", "list_type": "format", "string_type": "format", "dict_type": "format",
}


def kit_rule(rule: str | None) -> str | None:
    """The kit's rule for `rule`: a pydantic error type (as rpc_method's validation sends it) mapped,
    any other rule unchanged."""
    return PYDANTIC_RULES.get(rule, rule) if rule else None


def field_path(field: str | None) -> str | None:
    """`lines.0.quantity_kg` -> `lines.quantity_kg`: the field a rule is about, whatever item broke it."""
    if not field:
        return None
    parts = [p for p in str(field).split(".") if p and not p.isdigit()]
    return ".".join(parts) or None

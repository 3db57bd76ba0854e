"""Text that crosses a service boundary holds no control characters (issue 13).

On PostgreSQL a NUL in a site name made every later read of the log fail; other control
characters (ANSI escapes, bidi overrides are not control characters but C1 ones are), lone
surrogates and Unicode non-characters have no place in a name, a reason or a description either.

- `single_line(text)`: tabs, line breaks (CR, LF, CRLF) become one space; any other C0/C1
  control character, a lone surrogate or a non-character is refused.
- `multi_line(text)`: CRLF and CR become LF, tabs and LFs are kept; the rest as above.

Both raise pydantic's `PydanticCustomError("control_character", …)`, so a contract's
ValidationError reaches the caller as InvalidInput(field=<the field>, rule="control_character").
`SingleLine` / `MultiLine` are the annotations to put on a `str` (or an Annotated one).
"""
from __future__ import annotations

import re
from typing import Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

RULE = "control_character"
# C0 but TAB/LF/CR, DEL, C1, lone surrogates, the BMP non-characters U+FDD0..U+FDEF, U+FFFE, U+FFFF
# (the astral planes' non-characters are left: they break nothing and are valid UTF-8).
CONTROL_CLASS = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufdd0-\\ufdef\\ufffe\\uffff"
FORBIDDEN = re.compile(f"[{CONTROL_CLASS}\\ud800-\\udfff]")
# The same as a JSON-schema / OpenAPI `pattern` for FastAPI parameters (ECMA, Python and Rust regex
# alike; Rust's has no surrogates, which a decoded URL or JSON body cannot hold anyway).
TEXT_PATTERN = f"^[^{CONTROL_CLASS}]*$"
_BREAKS = re.compile(r"[\t\r\n]+")
_CR = re.compile(r"\r\n?")


def first_forbidden(text: str) -> str | None:
    """The first character `text` may not hold, or None."""
    m = FORBIDDEN.search(text)
    return None if m is None else m.group()


def refuse_control(text: str) -> str:
    bad = first_forbidden(text)
    if bad is not None:
        raise PydanticCustomError(RULE, "control character U+{code} is not allowed in text", {"code": f"{ord(bad):04X}"})
    return text


def single_line(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return _BREAKS.sub(" ", refuse_control(text))


def multi_line(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return _CR.sub("\n", refuse_control(text))


def refuse_anywhere(value: Any, path: str = "") -> None:
    """Walks a (nested) value — strings, dict keys and values, lists, models — and refuses any
    forbidden character (the contracts' safety net for fields typed `str`, `dict`, `Any`)."""
    if isinstance(value, str):
        bad = first_forbidden(value)
        if bad is not None:
            raise PydanticCustomError(RULE, "control character U+{code} is not allowed in text{where}",
                                      {"code": f"{ord(bad):04X}", "where": f" (at {path})" if path else ""})
    elif isinstance(value, dict):
        for k, v in value.items():
            refuse_anywhere(k, path)
            refuse_anywhere(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            refuse_anywhere(v, f"{path}[{i}]")
    elif hasattr(value, "__pydantic_fields__"):
        for name in type(value).__pydantic_fields__:
            refuse_anywhere(getattr(value, name, None), f"{path}.{name}" if path else name)


# After the type's own constraints (strip, lengths, patterns), so its JSON schema stays as it was:
# put them last in the Annotated[...].
SingleLine = AfterValidator(single_line)
MultiLine = AfterValidator(multi_line)

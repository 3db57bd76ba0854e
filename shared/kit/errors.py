"""Typed errors. Plain Python: domain code raises them, transports carry them unchanged.

Every error names the field and the rule it broke, so a caller (or the bot) can say precisely
what is wrong. The four kinds are the only ones that cross a service boundary; services may
subclass them for their own vocabulary, and the transport sends the kind.
"""
from __future__ import annotations


class LangXanhError(Exception):
    """Base of the typed errors. args = (message, field, rule) so they serialise as plain data."""

    kind = "error"

    def __init__(self, message: str, field: str | None = None, rule: str | None = None):
        super().__init__(message, field, rule)
        self.message = message
        self.field = field
        self.rule = rule

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "field": self.field, "rule": self.rule}


class NotFound(LangXanhError):
    kind = "not_found"


class Forbidden(LangXanhError):
    kind = "forbidden"


class InvalidInput(LangXanhError):
    kind = "invalid_input"


class Conflict(LangXanhError):
    kind = "conflict"


KINDS: tuple[type[LangXanhError], ...] = (NotFound, Forbidden, InvalidInput, Conflict)


def as_kind(exc: LangXanhError) -> LangXanhError:
    """The boundary form of an error: the base kind class with the same message, field, rule."""
    for kind in KINDS:
        if isinstance(exc, kind):
            return kind(exc.message, exc.field, exc.rule)
    return InvalidInput(exc.message, exc.field, exc.rule)

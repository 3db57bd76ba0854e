"""User data, chat data and conversation states as JSON, not pickle: a database row is data and
can never run code when it is loaded. What JSON cannot say on its own (tuples, sets, dicts with
non-string keys, dates) is tagged, so a value comes back as it went in."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

TAG = "__lx"


def _enc(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_enc(v) for v in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "v": [_enc(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {TAG: "set", "v": [_enc(v) for v in sorted(value, key=repr)]}
    if isinstance(value, datetime):
        return {TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {TAG: "date", "v": value.isoformat()}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and TAG not in value:
            return {k: _enc(v) for k, v in value.items()}
        return {TAG: "dict", "v": [[_enc(k), _enc(v)] for k, v in value.items()]}
    raise TypeError(f"cannot keep a {type(value).__name__} in the bot's state (JSON only)")


def _dec(value: Any) -> Any:
    if isinstance(value, list):
        return [_dec(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag = value.get(TAG)
    if tag is None:
        return {k: _dec(v) for k, v in value.items()}
    items = value.get("v")
    if tag == "tuple":
        return tuple(_dec(v) for v in items)
    if tag == "set":
        return {_dec(v) for v in items}
    if tag == "datetime":
        return datetime.fromisoformat(items)
    if tag == "date":
        return date.fromisoformat(items)
    if tag == "dict":
        return {_dec(k): _dec(v) for k, v in items}
    raise ValueError(f"unknown tag {tag!r} in the bot's state")


def dumps(value: Any) -> str:
    return json.dumps(_enc(value), ensure_ascii=False, separators=(",", ":"))


def loads(text: str) -> Any:
    return _dec(json.loads(text))

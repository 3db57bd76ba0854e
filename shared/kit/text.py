"""Vietnamese-aware search text: 'bat trang', 'BÁT TRÀNG', 'Bat Trang' all equal 'bat trang'."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower case, diacritics removed, 'đ' ≡ 'd', punctuation to single spaces."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def slug(text: str) -> str:
    return fold(text).replace(" ", "-")


def score(query: str, *fields: str) -> float:
    """How well a folded query matches folded fields: 0 = no match; higher is better.

    Whole-field equality beats a phrase found in a field, which beats all words found.
    """
    q = fold(query)
    if not q:
        return 0.0
    words = q.split()
    best = 0.0
    for i, field in enumerate(fields):
        f = fold(field)
        if not f:
            continue
        weight = 1.0 / (1 + i)  # earlier fields (the name) count more
        if f == q:
            best = max(best, 100 * weight)
        elif re.search(rf"\b{re.escape(q)}\b", f):
            best = max(best, 50 * weight)
        elif q in f:
            best = max(best, 30 * weight)
        elif all(w in f.split() for w in words):
            best = max(best, 20 * weight)
    return best

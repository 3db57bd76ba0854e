"""What a timer loads, for the timer stories of inspections and manifests."""
from __future__ import annotations

from typing import Any


def loads(app: Any) -> list[str]:
    """Records what the timer loads from now on: the aggregates read at their head (the read
    model's own catch-up reads at a version); caught up first, so its reads are done."""
    app.views.catch_up()
    got: list[str] = []
    real = app.repository.get

    def counting(aggregate_id, *args, **kw):  # type: ignore[no-untyped-def]
        if not args and kw.get("version") is None:
            got.append(str(aggregate_id))
        return real(aggregate_id, *args, **kw)

    app.repository.get = counting
    return got

"""Issue 18's targets, judged from one `make bench` run's results (tests.bench.all), per store.

Each is a ratio or a bound measured in the same run: met (True/False), or None when the run did not
measure it (a part left out with --only, or a P5 target that applies at 1 000 000 events only).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

FULL_SCALE = 1_000_000
CATCH_UP_S = {"sqlite": 300, "postgres": 600}
PING_P99_MS = 200
RSS_MIB = 200


def _get(result: dict, fn: Callable[[dict], Any]) -> Any:
    try:
        return fn(result)
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def _ratio(result: dict, name: str, target: str, fn: Callable[[dict], float], least: float) -> dict:
    value = _get(result, fn)
    return {"id": name, "target": target, "measured": None if value is None else f"{value:.2f}",
            "met": None if value is None else value >= least}


def _p5(result: dict) -> list[dict]:
    store, p5 = result["store"], result.get("P5")
    if not p5:
        return [{"id": "P5", "target": "catch-up, pings, RSS", "measured": None, "met": None}]
    limit = CATCH_UP_S[store]
    full = p5["events"] >= FULL_SCALE
    out = [{"id": "P5 catch-up", "target": f"≤ {limit} s at 1 000 000 events",
            "measured": f"{p5['catch_up_s']:.0f} s at {p5['events']:,} events".replace(",", " "),
            "met": (p5["catch_up_s"] <= limit) if full else None}]
    pings = p5.get("pings") or {}
    worst = max((v["p99_ms"] for v in pings.values() if v["p99_ms"] is not None), default=None)
    missed = sum(v["missed"] for v in pings.values())
    out.append({"id": "P5 ping p99", "target": f"< {PING_P99_MS} ms, every service, throughout",
                "measured": None if worst is None else f"{worst:.0f} ms worst ({missed} not answered)",
                "met": None if worst is None else worst < PING_P99_MS})
    peak = p5.get("peak_rss_kib") or p5.get("rss_kib") or {}
    top = max(peak.values(), default=None)
    out.append({"id": "P5 RSS", "target": f"< {RSS_MIB} MiB each (peak)",
                "measured": None if top is None else f"{top / 1024:.0f} MiB largest",
                "met": None if top is None else top / 1024 < RSS_MIB})
    return out


def evaluate(result: dict) -> list[dict]:
    p2 = _get(result, lambda r: r["P2"]["bot_status"])
    rows = [
        _ratio(result, "P3", "rebuild ≥ 0.3 × raw log reads",
               lambda r: r["P3"]["rebuild_eps"] / r["P3"]["raw_read_eps"], 0.3),
        _ratio(result, "P4", "RPC, 8 clients ≥ 0.5 × Application direct",
               lambda r: r["P4"]["rpc_8_clients_eps"] / r["P4"]["application_direct_eps"], 0.5),
        {"id": "P2", "target": "/status p95 ≤ 2 × queueing bound",
         "measured": None if not p2 or "queueing_bound_ms" not in p2 else
         f"{p2['p95_ms']:.0f} ms ÷ {p2['queueing_bound_ms']:.0f} ms = {p2['p95_over_bound']:.2f}",
         "met": None if not p2 or "queueing_bound_ms" not in p2 else p2["p95_over_bound"] <= 2},
        _ratio(result, "P6", "our report path ≥ 0.5 × plain FastAPI insert", lambda r: r["P6"]["ratio"], 0.5),
        *_p5(result),
    ]
    return rows


def table(results: list[dict]) -> str:
    """One row per target, one column per store: the measured figure and met / NOT met / -."""
    judged = [evaluate(r) for r in results]
    head = "| target | " + " | ".join("SQLite" if r["store"] == "sqlite" else "PostgreSQL" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    for i, row in enumerate(judged[0]):
        cells = []
        for rows in judged:
            r = rows[i]
            mark = {True: "met", False: "**NOT met**", None: "not judged"}[r["met"]]
            cells.append(f"{r['measured'] or '-'} ({mark})")
        lines.append(f"| {row['id']}: {row['target']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

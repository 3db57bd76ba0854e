"""Issue 18, P5: a service answers (`ping`, RPCs) while one of its followers catches up a long
page. The follower decodes the page outside any transaction, yielding after each event, then
applies it in transactions of `per_transaction` events (100), giving the hub a turn between them
(shared/kit/follower.py `SqlProjection.apply_many`); no greenthread yields inside a SQLite
transaction. Before, a page was one transaction, decoding included, and held the hub for its
whole length (P5's indicators pings waited about half a second).

tests/kit/follower_ticker_probe.py runs in a fresh process: a 10 ms ticker must get its turn all
through three pages of up to 6 000 events. The margin is wide (the longest wait against a quarter
of the catch-up's length, which the old code filled in one gap): no timing target here."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import ROOT


def test_a_follower_catching_up_a_long_page_lets_other_greenthreads_run(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tests.kit.follower_ticker_probe", str(tmp_path), "6000"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["applied"] == sum(seen["pages"].values()) > 10000, seen
    assert max(seen["pages"].values()) > 4000, seen          # pages far longer than one transaction
    assert seen["transactions"] >= seen["applied"] / 100, seen  # each page split, 100 events at most
    assert seen["seconds"] > 0.1, seen                      # long enough to tell the two apart
    assert seen["max_gap_ms"] < seen["seconds"] * 1000 / 4, seen
    assert seen["ticks"] >= 5, seen

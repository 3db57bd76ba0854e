"""Issue 18: a service answers (`ping`, RPCs) while it maps a page of its log for a catching-up
follower or relays its backlog. In a service process (eventlet) the mapping and the relay give the
hub a turn after each event (shared/kit/store.py `cooperatively`); before, a page of 500 held the
hub to itself for its whole length (P5's pings waited seconds).

tests/kit/mapping_ticker_probe.py runs in a fresh process: a 10 ms ticker must get its turn all
through the page. The margin is wide (the longest wait against half the page's length): no timing
target here."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import ROOT


def test_mapping_and_relaying_a_page_let_other_greenthreads_run(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tests.kit.mapping_ticker_probe", str(tmp_path), "6000"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["mapped"] == 12000, seen            # the page answered, then relayed
    assert seen["seconds"] > 0.1, seen             # long enough to tell the two apart
    assert seen["max_gap_ms"] < seen["seconds"] * 1000 / 4, seen
    assert seen["ticks"] >= 5, seen

"""Issue 18, P5: a service answers (`ping`, RPCs) while one of its followers drains a full queue.
A follower that caught up by pulling finds the relay's pushes of those events still queued, each a
duplicate counted in memory (no I/O, so no yield); a green socket's recv yields only when nothing is
there to read, so the consumer's loop held the hub until the queue was empty: in P5 the followers'
pings waited 4-5 s. The kit's StreamConsumer now gives the hub a turn after each message.

tests/kit/consumer_ticker_probe.py runs in a fresh process: a 10 ms ticker must get its turn all
through the drain of 3 000 messages (before the fix: 3 ticks and one gap of the whole drain). The
margin is wide (the longest wait against a quarter of the drain): no timing target here."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e.conftest import ROOT


def test_a_follower_draining_a_full_queue_lets_other_greenthreads_run(amqp_uri):
    out = subprocess.run([sys.executable, "-m", "tests.kit.consumer_ticker_probe", amqp_uri, "3000"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["handled"] == 3000, seen
    assert seen["seconds"] > 0.1, seen             # long enough to tell the two apart
    assert seen["max_gap_ms"] < seen["seconds"] * 1000 / 4, seen
    assert seen["ticks"] >= 5, seen

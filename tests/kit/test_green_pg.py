"""Issue 18: psycopg yields to the eventlet hub in service processes (shared/kit/green_pg.py).

Each case runs tests/kit/pg_ticker_probe.py in a fresh process: a 10 ms ticker keeps ticking while
three greenthreads each run `pg_sleep(1)`, and the three sleeps overlap. The `raw` case is psycopg's
own choice under eventlet — the bug this fixes, kept as the proof that the probe tells them apart.
The margins are wide (about 100 ticks and 1 s against 3 ticks and 3 s): no timing target here."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT


def probe(url: str, mode: str, **env: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.kit.pg_ticker_probe", url, mode], cwd=ROOT,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_queries_yield_to_the_hub_as_services_run_them(pg_url):
    seen = probe(pg_url, "kit")
    assert seen["wait"] == "wait_select"
    assert seen["seconds"] < 2.5, seen          # three 1 s sleeps overlapped (not 3 s in a row)
    assert seen["ticks"] >= 40, seen            # the ticker ran all along (≈100 at 10 ms)


def test_psycopgs_own_choice_blocks_the_hub(pg_url):
    seen = probe(pg_url, "raw")
    assert seen["wait"] == "wait_c"
    assert seen["seconds"] >= 2.9 and seen["ticks"] < 20, seen


def test_a_blocking_wait_function_is_refused_at_start(pg_url):
    out = subprocess.run([sys.executable, "-m", "tests.kit.pg_ticker_probe", pg_url, "kit"], cwd=ROOT,
                         env={**os.environ, "PSYCOPG_WAIT_FUNC": "wait_c"}, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode != 0 and "PSYCOPG_WAIT_FUNC=wait_c blocks the eventlet hub" in out.stderr


def test_the_check_refuses_a_process_eventlet_did_not_patch():
    code = ("import psycopg.waiting, shared.kit.green_pg as g\n"
            "try:\n    g.make_cooperative()\nexcept g.NotCooperative as e:\n    print('refused:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "refused: eventlet has not patched `select`" in out.stdout, out.stderr

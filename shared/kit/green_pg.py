"""psycopg 3 under eventlet: make every query yield to the hub.

psycopg waits for the server in C (`wait_c`) unless it sees gevent's monkey-patching; eventlet's
is never detected, so each query blocked the whole service process: three greenthreads each
running `pg_sleep(1)` took 3 s one after another, and a 10 ms ticker ticked 3 times instead of
~100 (tests/kit/test_green_pg.py). psycopg's own pure-Python `wait_select` calls `select.select`,
which eventlet's monkey-patching replaced by its hub's (no FD_SETSIZE limit: the hub registers a
listener, it never calls select(2)); `wait_conn`, used to connect, goes through `selectors`,
patched too. `make_cooperative()` chooses it and checks the choice; a service process calls it
right after `eventlet.monkey_patch()` (shared/runner.py), and refuses to start if it cannot hold.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger("langxanh.pg")

COOPERATIVE = "wait_select"


class NotCooperative(RuntimeError):
    """psycopg would block the eventlet hub (a C wait function, or select not patched)."""


def make_cooperative() -> str:
    """Choose psycopg's green-safe wait function in this (monkey-patched) process; return its name."""
    import eventlet.patcher
    import psycopg.waiting as waiting

    chosen = os.environ.get("PSYCOPG_WAIT_FUNC")
    if chosen and chosen != COOPERATIVE:
        raise NotCooperative(f"PSYCOPG_WAIT_FUNC={chosen} blocks the eventlet hub; unset it or set {COOPERATIVE}")
    if not eventlet.patcher.is_monkey_patched("select"):
        raise NotCooperative("eventlet has not patched `select`: call eventlet.monkey_patch() first")
    waiting.wait = waiting.wait_select
    assert_cooperative()
    log.info("psycopg waits with %s through eventlet's hub", COOPERATIVE)
    return COOPERATIVE


def assert_cooperative() -> None:
    """Raise NotCooperative unless psycopg's queries wait through eventlet's green select."""
    import eventlet.green.select as green
    import psycopg.waiting as waiting

    if waiting.wait is not waiting.wait_select:
        raise NotCooperative(f"psycopg waits with {getattr(waiting.wait, '__name__', waiting.wait)!r}, "
                             "which blocks the eventlet hub")
    if waiting.select.select is not green.select:
        raise NotCooperative("psycopg's select module is not eventlet's green select")

"""Small helpers for service tests."""
import time

import eventlet

from shared.kit.errors import NotFound


def until(fn, timeout=15.0, retry_on=(NotFound,), accept=lambda e: True):
    """Call `fn` until it stops raising one of `retry_on` (a follower catching up), or time out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return fn()
        except retry_on as e:
            if time.monotonic() > deadline or not accept(e):
                raise
            eventlet.sleep(0.1)

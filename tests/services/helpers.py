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


def until_parties_known(fn):
    """Retry while the manifests service has not yet learnt the parties (generators, transporters,
    facilities and their licences) from the sites stream."""
    from shared.kit.errors import InvalidInput

    return until(fn, retry_on=(NotFound, InvalidInput), accept=lambda e: isinstance(e, NotFound) or e.rule in (
        "hw_generator", "transporter", "treatment_facility", "licence"))

"""Security tests that run nameko containers in this process: eventlet is monkey-patched here,
exactly as in tests/services (whose fixtures — store_env, exchange_name, make_container, tap and
the AsyncAPI check of every published event — are reused as they are)."""
from tests.services.conftest import *  # noqa: F401,F403  (monkey-patches eventlet first)
from tests.services.conftest import (  # noqa: F401  (fixtures by name, for pytest)
    exchange_name,
    make_container,
    no_invalid_event_published,
    published_events_validator,
    store_env,
    tap,
)

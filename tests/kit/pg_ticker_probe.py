"""Run in its own process (eventlet must patch before anything imports psycopg):
`python -m tests.kit.pg_ticker_probe URL kit|raw` prints JSON {ticks, seconds, wait}.

A 10 ms ticker greenthread runs while three greenthreads each run `SELECT pg_sleep(1)` on their
own connection. `kit` makes psycopg cooperative as service processes do (shared/runner.py);
`raw` leaves psycopg's own choice (its C wait function), the behaviour before the fix."""
import shared  # noqa: F401  (quiet eventlet's deprecation notice)
import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def main(url: str, mode: str) -> None:
    import psycopg
    import psycopg.waiting

    if mode == "kit":
        from shared.kit.green_pg import make_cooperative

        make_cooperative()
    conns = [psycopg.connect(url, autocommit=True) for _ in range(3)]
    ticks = 0
    running = True

    def ticker() -> None:
        nonlocal ticks
        while running:
            eventlet.sleep(0.01)
            ticks += 1

    tick = eventlet.spawn(ticker)
    eventlet.sleep(0)
    start = time.monotonic()
    pool = eventlet.GreenPool()
    for conn in conns:
        pool.spawn(conn.execute, "SELECT pg_sleep(1)")
    pool.waitall()
    seconds = time.monotonic() - start
    running = False
    tick.wait()
    print(json.dumps({"ticks": ticks, "seconds": round(seconds, 3), "wait": psycopg.waiting.wait.__name__}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

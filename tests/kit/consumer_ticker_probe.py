"""Run in its own process (eventlet patches first, as in a service process):
`python -m tests.kit.consumer_ticker_probe AMQP_URI N` prints JSON {seconds, ticks, max_gap_ms, handled}.

N valid envelopes of `sites` wait in a follower's durable queue (what the relay pushed while the
follower caught up by pulling: duplicates by then); then a 10 ms ticker greenthread runs while the
kit's StreamConsumer drains them through a handler that does no I/O (a duplicate is counted in
memory). `max_gap_ms` is the longest the ticker waited for its turn: a drain that never yields shows
as one gap its whole length."""
import shared  # noqa: F401  (quiet eventlet's deprecation notice)
import eventlet

eventlet.monkey_patch()

import gc  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402


def envelope(n: int) -> dict:
    return {"specversion": "1.0", "id": f"sites-{n}", "source": "/langxanh/sites",
            "type": "vn.langxanh.sites.site_amended.v1", "subject": str(uuid.uuid4()),
            "time": "2026-01-01T00:00:00Z", "datacontenttype": "application/json",
            "sequence": f"{n:020d}", "data": {"id": "x", "changes": {}}}


def main(amqp_uri: str, n: int) -> None:
    from kombu import Connection, Producer

    from shared.kit.amqp import StreamConsumer, events_exchange
    from tests.kit.ticker import Ticker

    run = uuid.uuid4().hex[:8]
    exchange, queue = f"probe-{run}", f"probe-{run}.follows.sites"
    consumer = StreamConsumer(amqp_uri, exchange, ["sites.#"], queue=queue, durable=True, source="sites")
    consumer.bind()
    with Connection(amqp_uri) as conn:
        producer = Producer(conn.default_channel, exchange=events_exchange(exchange))
        for i in range(1, n + 1):
            producer.publish(json.dumps(envelope(i)), routing_key="sites.site_amended", content_type="application/json")
    handled = [0]

    def handler(event: dict) -> None:
        handled[0] += 1
        if handled[0] == n:
            consumer.stop()

    gc.collect()
    gc.freeze()
    with Ticker() as ticker:
        start = time.monotonic()
        consumer.run(handler)
        seconds = time.monotonic() - start
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        channel.queue_delete(queue)
        channel.exchange_delete(exchange)
    consumer.close()
    print(json.dumps({"seconds": round(seconds, 3), "ticks": len(ticker.gaps), "handled": handled[0],
                      "max_gap_ms": ticker.max_gap_ms(seconds)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

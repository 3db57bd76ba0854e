"""Runs nameko services in this process: `python -m shared.runner sites [other ...]`.

eventlet is monkey-patched here, first thing, and only in service processes (never in the CLI
or the bot).
"""
import shared  # noqa: F401  (silences eventlet's deprecation notice before it is imported)
import eventlet  # noqa: E402

eventlet.monkey_patch()

import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from importlib import import_module  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from shared.catalog import SERVICES  # noqa: E402
from shared.kit.config import Settings  # noqa: E402



def service_class(name: str) -> type:
    module, _, attr = SERVICES[name].partition(":")
    return getattr(import_module(module), attr)


class ExpectedErrorsWithoutTraceback(logging.Filter):
    """nameko logs every expected (typed) error with its traceback; the message is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith("(expected)"):
            record.exc_info = None
            record.exc_text = None
        return True


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in SERVICES]
    if unknown or not names:
        print(f"unknown service(s) {unknown}; known: {', '.join(SERVICES)}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(ExpectedErrorsWithoutTraceback())
    os.environ.setdefault("LANGXANH_COMPONENT", names[0])  # each kit signs as its own service anyway (issue 13)
    settings = Settings()
    runner = ServiceRunner({"AMQP_URI": settings.amqp_uri, "max_workers": settings.max_workers,
                            "serializer": "json"})
    for name in names:
        runner.add_service(service_class(name))

    def shutdown(signum, frame):  # type: ignore[no-untyped-def]
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    logging.getLogger("langxanh").info("running %s", ", ".join(names))
    runner.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

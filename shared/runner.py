"""Runs nameko services in this process: `python -m shared.runner [--supervised] sites [other ...]`.

eventlet is monkey-patched here, first thing, and only in service processes (never in the CLI
or the bot).
"""
import shared  # noqa: F401  (silences eventlet's deprecation notice before it is imported)
import eventlet  # noqa: E402

eventlet.monkey_patch()

from shared.kit.green_pg import make_cooperative  # noqa: E402

PG_WAIT = make_cooperative()  # psycopg's queries yield to the hub (issue 18); refuses to go on if they cannot

import gc  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from importlib import import_module  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from shared.catalog import SERVICES  # noqa: E402
from shared.kit.config import get_settings  # noqa: E402

log = logging.getLogger("langxanh")
SUPERVISED = "--supervised"
GRACE = 4.0  # seconds a graceful stop may take before the process ends at once (Ctrl-C: 5 s for all)


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


class Shutdown:
    """The process's answer to SIGINT and SIGTERM: the first one stops every service gracefully
    (nameko's `runner.stop`, in a green thread: a signal handler must not block), once.

    Under `langxanh up` (`supervised`) a stop is asked more than once as a rule: a Ctrl-C reaches
    this process from the terminal (SIGINT to the whole foreground process group) and the parent
    forwards SIGTERM, in either order; systemd signals every process of its unit besides. A
    second `runner.stop` re-sends the events of the first (nameko's Timer: "Trying to re-send()
    an already-triggered event", a traceback per timer), so a repeat is ignored there: forcing is
    the parent's (it kills every child on a second Ctrl-C). Run alone in a terminal (`langxanh
    run`), a second SIGINT is a person's second Ctrl-C and ends the process at once. Either way,
    a graceful stop not done in `grace` seconds ends the process at once (a stuck call must not
    hold a Ctrl-C; nothing is lost: a service is built to survive a kill -9). Forced: exit 130.
    """

    def __init__(self, runner: ServiceRunner, supervised: bool, grace: float = GRACE) -> None:
        self.runner = runner
        self.supervised = supervised
        self.grace = grace
        self.first: int | None = None

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self.handle)
        signal.signal(signal.SIGINT, self.handle)

    def handle(self, signum: int, frame: object) -> None:
        if self.first is None:
            self.first = signum
            log.info("%s: stopping", signal.Signals(signum).name)
            eventlet.spawn_n(self.runner.stop)
            eventlet.spawn_after(self.grace, self.force, f"not stopped after {self.grace:.0f} s")
        elif signum == signal.SIGINT and not self.supervised:
            self.force("a second Ctrl-C")

    def force(self, why: str) -> None:
        log.warning("stopping at once (%s)", why)
        logging.shutdown()
        os._exit(128 + signal.SIGINT)


def main(args: list[str]) -> int:
    supervised = SUPERVISED in args  # started by `langxanh up`, which forwards and forces the stop
    names = [a for a in args if a != SUPERVISED]
    unknown = [n for n in names if n not in SERVICES]
    if unknown or not names:
        print(f"unknown service(s) {unknown}; known: {', '.join(SERVICES)}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(ExpectedErrorsWithoutTraceback())
    log.info("psycopg waits with %s, through eventlet's hub", PG_WAIT)
    os.environ.setdefault("LANGXANH_COMPONENT", names[0])  # each kit signs as its own service anyway (issue 13)
    settings = get_settings()
    runner = ServiceRunner({"AMQP_URI": settings.amqp_uri, "max_workers": settings.services.max_workers,
                            "serializer": "json"})
    for name in names:
        runner.add_service(service_class(name))

    Shutdown(runner, supervised).install()
    runner.start()
    # what start-up made (modules, nameko, the Application, its caches) lives as long as the process:
    # out of the collector's reach, so a full collection no longer walks it while the hub waits (P5 pings)
    gc.freeze()
    log.info("running %s", ", ".join(names))
    runner.wait()
    log.info("stopped %s", ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

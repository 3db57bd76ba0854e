"""The staff workspace in a real browser: the whole system as `langxanh up --seed` runs it (every
service, the gateway, on real RabbitMQ in a vhost of its own, the data dir in pytest's tmp), once
per store (SQLite, then PostgreSQL in a schema of the run's own) for the whole session; Playwright
drives Debian's headless Chromium (never a downloaded browser). Every page a story visits is
saved as a PNG in the artefacts folder: $LANGXANH_TEST_ARTIFACTS/staff/<store>/ (default
var/test-artifacts/staff/<store>/), cleared at the start of the store's run."""
from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shared.catalog import SERVICES
from tests.conftest import RUN_ID, create_vhost, delete_vhost
from tests.e2e.conftest import ROOT, run_cli, system_env_for
from tests.e2e.test_bot_e2e import call
from tests.e2e.test_gateway_e2e import wait_http
from tests.e2e.test_up import wait_ping
from tests.gateway.test_dashboard import chromium

STORES = ("sqlite", "postgres")


def artefacts_root() -> Path:
    import os

    return Path(os.environ.get("LANGXANH_TEST_ARTIFACTS", ROOT / "var" / "test-artifacts")) / "staff"


@dataclass
class System:
    """One running `langxanh up`: its environment, its gateway's address, its log."""

    store: str
    env: dict
    log: Path
    artefacts: Path
    base: str = ""
    vhost: str = ""
    members: dict = field(default_factory=dict)  # (role, communes, unit) -> (Account, session cookies)

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return run_cli(self.env, *args, timeout=timeout)

    def call_sync(self, actor, service: str, rpc: str, **kw):  # type: ignore[no-untyped-def]
        """An RPC over the system's broker (the signature tests/gateway/test_dashboard's helpers expect)."""
        return call(self.env, actor, service, rpc, **kw)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


def _start(system: System, up: subprocess.Popen, timeout: float = 240) -> None:
    marker = Path(system.env["LANGXANH_DATA_DIR"]) / ".seeded"
    deadline = time.monotonic() + timeout
    while not marker.exists():  # `up --seed` marks the data dir once Hanoi is seeded
        assert up.poll() is None, f"langxanh up exited: {system.log_tail()}"
        assert time.monotonic() < deadline, f"langxanh up did not seed in {timeout}s: {system.log_tail()}"
        time.sleep(0.3)
    for service in SERVICES:
        wait_ping(system.env, service)
    try:
        wait_http(system.env)
    except AssertionError:
        raise AssertionError(f"the gateway did not answer: {system.log_tail()}") from None


def _stop(ups: list[subprocess.Popen]) -> None:
    for up in ups:
        up.send_signal(signal.SIGTERM)
    for up in ups:
        try:
            up.wait(60)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait(10)


def _system(request, tmp_path_factory, store: str) -> System:  # type: ignore[no-untyped-def]
    """A store's environment: its own vhost (and schemas), data dir, port and artefacts folder."""
    run_vhost_uri = request.getfixturevalue("amqp_uri")  # fails clearly when RabbitMQ is not there
    vhost = f"langxanh-test-{RUN_ID}-staff-{store}"
    create_vhost(vhost)
    work = tmp_path_factory.mktemp(f"staff-{store}")
    env = system_env_for(run_vhost_uri.rsplit("/", 1)[0] + "/" + vhost, work / "var")
    env["LANGXANH_FOLLOW_CATCH_UP_INTERVAL"] = "1"
    env["LANGXANH_STAFF_LOGINS_PER_MINUTE"] = "1000"  # every story logs in from 127.0.0.1 within a minute
    env["LANGXANH_STAFF_LOCKOUT_FAILURES"] = "3"
    if store == "postgres":
        env.update(LANGXANH_DATABASE_URL=request.getfixturevalue("pg_url"),
                   LANGXANH_SCHEMA_PREFIX=f"t{RUN_ID}_staff_")  # dropped with the run's schemas
    folder = artefacts_root() / store
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return System(store=store, env=env, log=work / "up.log", artefacts=folder, vhost=vhost,
                  base=f"http://127.0.0.1:{env['LANGXANH_GATEWAY_PORT']}")


@pytest.fixture(scope="session")
def systems(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """`langxanh up --seed` for every store the session's stories ask for, started side by side
    (each on its own vhost), stopped together at the end."""
    wanted = [s for s in STORES if any(getattr(item, "callspec", None) and item.callspec.params.get("system") == s
                                       for item in request.session.items)]
    made: dict[str, System] = {}
    ups: list[subprocess.Popen] = []
    try:
        for store in wanted:
            made[store] = _system(request, tmp_path_factory, store)
            ups.append(subprocess.Popen([sys.executable, "-m", "langxanh", "up", "--seed"], env=made[store].env,
                                        cwd=ROOT, stdout=open(made[store].log, "ab"), stderr=subprocess.STDOUT))
        for system, up in zip(made.values(), ups):
            _start(system, up)
        yield made
    finally:
        _stop(ups)
        for system in made.values():
            delete_vhost(system.vhost)


@pytest.fixture(scope="session", params=STORES)
def system(request, systems):  # type: ignore[no-untyped-def]
    """The whole system on one store, shared by every story of the session."""
    return systems[request.param]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium, headless, every host but 127.0.0.1 unresolvable."""
    from playwright.sync_api import sync_playwright

    executable = chromium()  # fails (never skips) with how to install it
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class Story:
    """One browser context (its own cookies) whose every visited page is kept as a screenshot."""

    system: System
    context: object
    name: str
    shots: list[Path] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    others: list["Story"] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page = self.context.new_page()  # type: ignore[attr-defined]
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.console.append(str(e)))

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        """Errors of the gateway's own pages (map tiles of other hosts are unreachable here by design;
        the browser's own favicon.ico request is not the page's)."""
        where = urlsplit((message.location or {}).get("url", ""))
        if message.type == "error" and where.path != "/favicon.ico" and where.hostname in (None, "127.0.0.1"):
            self.console.append(f"{message.text} ({where.geturl()})")

    def snap(self, step: str, page=None) -> Path:  # type: ignore[no-untyped-def]
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.system.artefacts / f"{self.name}-{len(self.shots) + 1:02d}-{slug}.png"
        (page or self.page).screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path

    def goto(self, url: str, step: str):  # type: ignore[no-untyped-def]
        """Open a path (or a full URL of this gateway), screenshot it; the response."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = self.page.goto(self.system.base + path)
        self.snap(step)
        return response

    def submit(self, button, step: str) -> None:  # type: ignore[no-untyped-def]
        """Click a submit button, wait for the page it leads to, screenshot it."""
        with self.page.expect_navigation():
            button.click()
        self.snap(step)

    def other(self, who: str) -> "Story":
        """A second person in the same story: a browser context (cookies) of their own."""
        other = Story(self.system, _context(self.context.browser), f"{self.name}-{who}")  # type: ignore[attr-defined]
        self.others.append(other)
        return other

    def close(self) -> None:
        for other in self.others:
            other.close()
        self.context.close()  # type: ignore[attr-defined]


def _story_name(request) -> str:  # type: ignore[no-untyped-def]
    name = request.node.originalname.removeprefix("test_")
    return re.sub(r"[^a-z0-9]+", "-", name.lower())[:60].strip("-")


def _context(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(20_000)
    return context


@pytest.fixture
def story(system, browser, request):  # type: ignore[no-untyped-def]
    s = Story(system, _context(browser), _story_name(request))
    try:
        yield s
    finally:
        s.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """A failed story shows the end of its system's `langxanh up` log (the services' and gateway's output)."""
    outcome = yield
    report = outcome.get_result()
    system = getattr(item, "funcargs", {}).get("system")
    if report.failed and isinstance(system, System):
        report.sections.append((f"langxanh up ({system.store}) log tail", system.log_tail(6000)))

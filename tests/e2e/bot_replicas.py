"""Two `langxanh bot` replicas as real processes over one database, against the tests' own Bot
API server (tests/botapi/server.py): by long polling, or by webhook behind the tests' load
balancer. Used by tests/e2e/test_bot_runtime.py."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.botapi.balancer import Balancer
from tests.botapi.server import FakeBotApi
from tests.e2e.conftest import ROOT, free_port

SECRET = "e2e-webhook-secret-token"


class Replicas:
    """Two `langxanh bot` processes over one database, against the fake Bot API."""

    def __init__(self, system: dict, api: FakeBotApi, tmp: Path, mode: str, store: dict) -> None:
        self.api, self.mode, self.tmp = api, mode, tmp
        self.ports = [free_port(), free_port()]
        self.balancer = Balancer([f"http://127.0.0.1:{p}" for p in self.ports]).start() if mode == "webhook" else None
        self.env = dict(system, TELEGRAM_BOT_TOKEN=api.token, TELEGRAM_API_BASE_URL=api.base_url,
                        LANGXANH_DATA_DIR=str(tmp / "bot-data"),
                        LANGXANH_BOT_LEASE_SECONDS="2", LANGXANH_BOT_WEBHOOK_SECRET_TOKEN=SECRET, **store)
        self.procs: list[subprocess.Popen] = []

    def spawn(self, i: int) -> subprocess.Popen:
        """Start replica `i` (on its port, in webhook mode); its log appends to bot-<i>.log."""
        args = [sys.executable, "-m", "langxanh", "bot"]
        if self.balancer is not None:
            args += ["--webhook", f"{self.balancer.url}/telegram/hook", "--listen", f"127.0.0.1:{self.ports[i]}"]
        log = open(self.tmp / f"bot-{i}.log", "ab")
        return subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> "Replicas":
        self.procs = [self.spawn(i) for i in range(len(self.ports))]
        deadline = time.monotonic() + 60
        while not self.ready():
            assert time.monotonic() < deadline, self.logs()
            assert all(p.poll() is None for p in self.procs), self.logs()
            time.sleep(0.1)
        return self

    def ready(self) -> bool:
        if self.mode == "polling":
            return "getUpdates" in self.api.calls and self.api.calls.count("setMyCommands") >= 4
        return self.api.calls.count("setWebhook") >= 2 and all(health(p) for p in self.ports)

    def logs(self) -> str:
        return "\n".join((self.tmp / f"bot-{i}.log").read_text(errors="replace")[-3000:] for i in range(2))

    def inbox(self):  # type: ignore[no-untyped-def]
        from bot.runtime.inbox import Inbox
        from bot.store import open_store
        from shared.kit.config import Settings

        settings = Settings(data_dir=Path(self.env["LANGXANH_DATA_DIR"]),
                            database_url=self.env.get("LANGXANH_DATABASE_URL"),
                            **({"schema_prefix": self.env["LANGXANH_SCHEMA_PREFIX"]}
                               if "LANGXANH_SCHEMA_PREFIX" in self.env else {}))
        return Inbox(open_store(settings).db)

    def kill_last_handler(self, chat_id: int) -> subprocess.Popen:
        """SIGKILL the replica that processed the chat's last update."""
        last = [o for o in self.inbox().outcomes(str(chat_id)) if o["worker"]][-1]
        pid = int(last["worker"].split(":")[1])
        [proc] = [p for p in self.procs if p.pid == pid]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return proc

    def replace(self, proc: subprocess.Popen) -> subprocess.Popen:
        """A new process in a dead replica's place (as an orchestrator restarts a pod)."""
        i = self.procs.index(proc)
        self.procs[i] = self.spawn(i)
        return self.procs[i]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.balancer is not None:
            self.balancer.stop()


def health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            return json.loads(r.read())["ok"] is True
    except OSError:
        return False


def post(url: str, body: bytes, secret: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret})
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()

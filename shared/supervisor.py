"""The processes of `langxanh up`: one per service, the HTTP edge, the bot with a token; one that
dies is started again; all of them stop together on Ctrl-C (SIGINT) or SIGTERM.

Plain Python (no eventlet, no nameko): the command-line tool supervises, the children serve.

How a stop goes. A terminal's Ctrl-C sends SIGINT to the whole foreground process group, so every
child receives it at the same moment as this process; systemd sends SIGTERM to every process of
its unit; Kubernetes and `kill <pid>` signal this process only. So the first signal here forwards
SIGTERM to every child still running (a child told twice stops once: shared/runner.py `Shutdown`,
uvicorn and the bot each stop on their first signal), waits until all are gone or `grace` seconds
have passed, and SIGKILLs what is left. A second signal during the stop SIGKILLs every child at
once and exits 128 + the signal's number. A stop asked once ends `up` with exit code 0: the system
stopped as asked (systemd counts 0 as a clean stop; 130 is kept for the forced one).
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

GRACE = 4.5  # seconds the children have to stop before they are killed (a Ctrl-C: everything gone in 5 s)


class Stop(BaseException):
    """Raised in the main thread by the first SIGINT or SIGTERM: whatever `up` was doing (waiting,
    seeding through the services) is left for the stop. A BaseException, so no `except Exception`
    on the way swallows it."""


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], say: Callable[[str], None] = print,
                 warn: Callable[[str], None] = print, grace: float = GRACE) -> None:
        self.commands = commands
        self.say = say
        self.warn = warn
        self.grace = grace
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping: int | None = None  # the signal that asked for the stop
        self._starting = False

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.stopping is not None:
            self.kill_all()
            self.say("killed every process (a second signal)")
            os._exit(128 + signum)
        self.stopping = signum
        if not self._starting:  # never between a child's fork and its record (it would run on, unknown)
            raise Stop

    def start(self, name: str) -> None:
        self._starting = True
        try:
            self.procs[name] = subprocess.Popen(self.commands[name])
        finally:
            self._starting = False
        self.say(f"[green]started[/green] {name} (pid {self.procs[name].pid})")
        if self.stopping is not None:
            raise Stop

    def start_all(self) -> None:
        for name in self.commands:
            self.start(name)

    def watch(self, interval: float = 0.5) -> None:
        """Restart any child that exited, until a signal raises `Stop`."""
        while True:
            time.sleep(interval)
            for name, proc in list(self.procs.items()):
                if proc.poll() is not None:
                    self.warn(f"[yellow]{name} exited with {proc.returncode}; restarting[/yellow]")
                    time.sleep(1)
                    self.start(name)

    def stop(self) -> list[str]:
        """SIGTERM every running child, wait for them all (`grace` seconds in all, not each), SIGKILL
        the rest. Returns the names of the children that had to be killed."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        killed = []
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                killed.append(name)
        return killed

    def kill_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()

"""`langxanh up`, `run`, `bot`, `chat`, `seed`, `demo`, `health`: the processes of the system and
their checks. Service processes are started with shared.runner so only they are monkey-patched by
eventlet; everything here is a plain client."""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.catalog import SERVICES
from shared.kit.config import Settings, get_settings, redact
from langxanh.common import _client, console, err, wait_for

commands = typer.Typer()


def process_command(name: str, settings: Settings, supervised: bool = False) -> list[str]:
    """The command line of one process of the system: a nameko service, an HTTP edge, or the bot.
    `supervised`: started by `up`, which forwards a stop and forces it (shared/runner.py `Shutdown`)."""
    from shared.catalog import EDGES

    if name == "bot":
        return [sys.executable, "-m", "bot"]
    if name in EDGES:
        return [sys.executable, "-m", "uvicorn", "--factory", EDGES[name], "--host", settings.gateway.host,
                "--port", str(settings.gateway.port), "--log-level", "warning",
                "--timeout-graceful-shutdown", "3"]  # an open live stream (SSE) must not hold a stop
    return [sys.executable, "-m", "shared.runner", *(["--supervised"] if supervised else []), name]


def _print_where(settings: Settings, names: list[str]) -> None:
    console.print(f"[bold]broker[/bold]   {redact(settings.amqp_uri)}  exchange {settings.exchange}")
    for name in names:
        console.print(f"[bold]store[/bold]    {name}: {settings.describe_store(name)}")
    console.print(f"[bold]data dir[/bold] {settings.data_dir.resolve()}")


@commands.command()
def up(seed_first_run: bool = typer.Option(False, "--seed", help="Seed Hanoi's reference data on the first run.")) -> None:
    """Run every service (one process each) until Ctrl-C or SIGTERM (exit 0); restart one that dies.
    A second Ctrl-C kills every process at once (exit 130)."""
    from shared.catalog import EDGES
    from shared.supervisor import Stop, Supervisor

    settings = get_settings()
    names = list(SERVICES)
    _print_where(settings, names + list(EDGES))
    names += list(EDGES)
    if settings.bot.token:
        names.append("bot")  # the Telegram bot runs beside the services when it has a token
    supervisor = Supervisor({name: process_command(name, settings, supervised=True) for name in names}, say=console.print,
                            warn=err.print)
    supervisor.install()
    try:
        supervisor.start_all()
        marker = settings.data_dir / ".seeded"
        if seed_first_run and not marker.exists():
            _seed(120.0)
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            marker.touch()
        console.print("[bold green]Làng Xanh is up.[/bold green] Try: langxanh status bat trang · "
                      "langxanh events --from-start · langxanh chat · "
                      f"http://{settings.gateway.host}:{settings.gateway.port}/docs · Ctrl-C stops.")
        supervisor.watch()
    except Stop:
        pass
    finally:
        started = time.monotonic()
        killed = supervisor.stop()
        console.print(f"stopped in {time.monotonic() - started:.1f} s"
                      + (f" (killed, not stopped in time: {', '.join(killed)})" if killed else ""))


@commands.command()
def bot(webhook: Optional[str] = typer.Option(None, "--webhook", help="Receive updates at this public https URL "
                                              "(LANGXANH_BOT_WEBHOOK_URL) instead of long polling."),
        listen: Optional[str] = typer.Option(None, "--listen", help="host:port of the webhook server "
                                             "(LANGXANH_BOT_WEBHOOK_LISTEN).")) -> None:
    """Run the Telegram bot: long polling (default) or a webhook; any number of replicas on one database."""
    import os
    import runpy

    if webhook:
        os.environ["LANGXANH_BOT_WEBHOOK_URL"] = webhook
    if listen:
        os.environ["LANGXANH_BOT_WEBHOOK_LISTEN"] = listen
    if not get_settings().bot.token:
        err.print("[red]TELEGRAM_BOT_TOKEN is not set[/red]: the bot cannot reach Telegram. "
                  "`langxanh chat` runs the same handlers in this terminal.")
        raise typer.Exit(2)
    runpy.run_module("bot", run_name="__main__")


@commands.command()
def chat(as_: Optional[str] = typer.Option(None, "--as", help="resident (default), business, transporter, "
                                           "treatment_facility, inspector or agency: linked first with a real code."),
         lang: str = typer.Option("vi", help="vi or en")) -> None:
    """Talk to the bot's handlers in this terminal, against the running services (no Telegram)."""
    import asyncio
    import logging

    from bot.console import DEMO, console as chat_console

    roles = {"resident", "inspector", "agency", *DEMO}
    if as_ is not None and as_ not in roles:
        err.print(f"[red]--as must be one of {', '.join(sorted(roles))}[/red]")
        raise typer.Exit(2)
    if lang not in ("vi", "en"):
        err.print("[red]--lang must be vi or en[/red]")
        raise typer.Exit(2)
    logging.basicConfig(level=logging.WARNING)
    wait_for(["sites", "inspections", "manifests"], 30)
    console.print("Làng Xanh chat — type /help; a number presses a button; :loc LAT LON, :photo PATH, :quit")
    asyncio.run(chat_console(get_settings(), as_, lang))


@commands.command()
def run(service: str = typer.Argument(..., help=f"One of: {', '.join(SERVICES)}, gateway")) -> None:
    """Run one service (or the HTTP gateway) in the foreground."""
    from shared.catalog import EDGES

    if service not in SERVICES and service not in EDGES:
        err.print(f"[red]unknown service {service!r}; known: {', '.join([*SERVICES, *EDGES])}[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    _print_where(settings, [service])
    if service in EDGES:
        console.print(f"[bold]http[/bold]     http://{settings.gateway.host}:{settings.gateway.port}/docs")
    os.execv(sys.executable, process_command(service, settings))


@commands.command()
def seed(wait: float = typer.Option(60.0, help="Seconds to wait for the sites service to answer.")) -> None:
    """Load the Hanoi reference data through the sites service (idempotent)."""
    _seed(wait)


def _seed(wait: float) -> None:
    from shared.seed import seed_steps

    wait_for(["sites"], wait)
    with _client() as c:
        head_before = c.sites.ping()["log_head"]
        steps = seed_steps()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as progress:
            task = progress.add_task("seeding Hanoi", total=len(steps))
            for step in steps:
                progress.update(task, description=f"seed {step.label[:40]:<40}")
                step.run(c)
                progress.advance(task)
        head_after = c.sites.ping()["log_head"]
    new = head_after - head_before
    console.print(f"seeded {len(steps)} steps: {new} new events"
                  + (" (nothing changed: already seeded)" if new == 0 else ""))


@commands.command()
def demo(residents: int = typer.Option(10, min=0, max=10_000, help="Residents reporting by chat"),
         reports: int = typer.Option(2, min=0, max=100, help="Reports per resident"),
         manifests: int = typer.Option(5, min=0, max=100_000, help="Manifests filed and signed by chat"),
         villages: int = typer.Option(10, min=0, max=1000, help="Villages classified, with their conditions"),
         seed: int = typer.Option(307, help="Random seed of the scenario")) -> None:
    """A realistic scenario through the bot's real handlers against the running services, then the four targets."""
    import asyncio
    import logging

    from bot.demo import TARGETS, Demo, Sizes

    logging.basicConfig(level=logging.WARNING)
    wait_for(list(SERVICES), 60)
    with Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        tasks: dict[str, int] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        started = time.monotonic()
        outcome = asyncio.run(Demo(get_settings(), Sizes(residents, reports, manifests, villages, seed=seed),
                                   progress).run())
        elapsed = time.monotonic() - started
    console.print(f"{outcome.commands} calls acknowledged in {elapsed:.1f} s "
                  f"({outcome.commands / max(elapsed, 1e-9):.1f}/s); {len(outcome.failed)} refused or failed")
    console.print(", ".join(f"{name} {n}" for name, n in sorted(outcome.acknowledged.items())), highlight=False)
    for line in outcome.failed[:10]:
        err.print(f"[yellow]{line}[/yellow]")
    t = Table(title=f"Bốn chỉ tiêu, {outcome.targets.get('period')}, toàn thành phố")
    for col in ("chỉ tiêu", "tử số", "mẫu số", "tỉ lệ"):
        t.add_column(col)
    for name in TARGETS:
        fig = outcome.targets.get(name) or {}
        ratio = fig.get("ratio")
        t.add_row(name, f"{fig.get('numerator', 0):g}", f"{fig.get('denominator', 0):g}",
                  "—" if ratio is None else f"{ratio * 100:.1f} %")
    console.print(t)
    if outcome.failed:
        raise typer.Exit(1)


# -- health (issue 8): an RPC ping per service; exits non-zero when one does not answer -----------
@commands.command()
def health(
    service: Optional[str] = typer.Option(None, "--service", help=f"Only this one: {', '.join(SERVICES)}"),
    as_json: bool = typer.Option(False, "--json", help="The answers as one JSON array."),
    timeout: float = typer.Option(3.0, "--timeout", min=0.1, max=60, help="Seconds each service has to answer."),
) -> None:
    """Ping every service (or one) over RPC: pid, log head, relay lag, follower lags, answer time.
    Exit 0 when every one answered, 1 otherwise (a Kubernetes exec probe: langxanh health --service sites)."""
    from shared.health import check, follower_lags, parked

    if service is not None and service not in SERVICES:
        err.print(f"[red]unknown service {service!r}; known: {', '.join(SERVICES)}[/red]")
        raise typer.Exit(2)
    settings = get_settings()
    results = check([service] if service else list(SERVICES), settings, timeout)
    if as_json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False) + "\n")
    else:
        t = Table(title=f"Làng Xanh health — {redact(settings.amqp_uri)}")
        t.add_column("service", no_wrap=True)
        for col in ("pid", "log head", "relay lag"):
            t.add_column(col, justify="right", no_wrap=True)
        t.add_column("follower lags")
        t.add_column("parked")
        t.add_column("answered in", justify="right")
        for r in results:
            if r["ok"]:
                t.add_row(r["service"], str(r.get("pid", "-")), str(r["log_head"]),
                          str((r.get("relay") or {}).get("lag", "-")), follower_lags(r), parked(r), f"{r['ms']:.0f} ms")
            else:
                t.add_row(f"[red]{r['service']}[/red]", "-", "-", "-", "-", "-", f"[red]{r['error']}[/red]")
        console.print(t)
    down = [r["service"] for r in results if not r["ok"]]
    if down:
        err.print(f"[red]not answering: {', '.join(down)}[/red]")
        raise typer.Exit(1)

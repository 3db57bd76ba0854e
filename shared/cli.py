"""`langxanh`: the one command (typer). Service processes are started with shared.runner so
only they are monkey-patched by eventlet; everything here is a plain client."""
from __future__ import annotations

import fnmatch
import json
import os
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.kit.actor import SYSTEM, Actor
from shared.kit.config import Settings, redact
from shared.catalog import SERVICES

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Làng Xanh: environmental monitoring of Hanoi's craft villages, industrial zones and clusters.")
console = Console()
err = Console(stderr=True)


def _client(actor: Actor = SYSTEM, timeout: float | None = None):  # type: ignore[no-untyped-def]
    from shared.kit.client import ServiceClient

    return ServiceClient(actor=actor, timeout=timeout)


def wait_for(services: list[str], seconds: float = 60.0) -> None:
    """Block until every named service answers `ping` (they may still be starting)."""
    from nameko.exceptions import RpcTimeout, UnknownService

    deadline = time.monotonic() + seconds
    for name in services:
        while True:
            try:
                with _client(timeout=3) as c:
                    c.call(name, "ping")
                break
            except (RpcTimeout, UnknownService, OSError, ConnectionError):
                if time.monotonic() > deadline:
                    err.print(f"[red]service {name} does not answer on {redact(Settings().amqp_uri)} — "
                              f"is `langxanh up` running?[/red]")
                    raise typer.Exit(3)
                time.sleep(0.5)


def process_command(name: str, settings: Settings, supervised: bool = False) -> list[str]:
    """The command line of one process of the system: a nameko service, an HTTP edge, or the bot.
    `supervised`: started by `up`, which forwards a stop and forces it (shared/runner.py `Shutdown`)."""
    from shared.catalog import EDGES

    if name == "bot":
        return [sys.executable, "-m", "bot"]
    if name in EDGES:
        return [sys.executable, "-m", "uvicorn", "--factory", EDGES[name], "--host", settings.gateway_host,
                "--port", str(settings.gateway_port), "--log-level", "warning",
                "--timeout-graceful-shutdown", "3"]  # an open live stream (SSE) must not hold a stop
    return [sys.executable, "-m", "shared.runner", *(["--supervised"] if supervised else []), name]


def _print_where(settings: Settings, names: list[str]) -> None:
    console.print(f"[bold]broker[/bold]   {redact(settings.amqp_uri)}  exchange {settings.exchange}")
    for name in names:
        console.print(f"[bold]store[/bold]    {name}: {settings.describe_store(name)}")
    console.print(f"[bold]data dir[/bold] {settings.data_dir.resolve()}")


@app.command()
def up(seed_first_run: bool = typer.Option(False, "--seed", help="Seed Hanoi's reference data on the first run.")) -> None:
    """Run every service (one process each) until Ctrl-C or SIGTERM (exit 0); restart one that dies.
    A second Ctrl-C kills every process at once (exit 130)."""
    from shared.catalog import EDGES
    from shared.supervisor import Stop, Supervisor

    settings = Settings()
    names = list(SERVICES)
    _print_where(settings, names + list(EDGES))
    names += list(EDGES)
    if settings.telegram_bot_token:
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
                      f"http://{settings.gateway_host}:{settings.gateway_port}/docs · Ctrl-C stops.")
        supervisor.watch()
    except Stop:
        pass
    finally:
        started = time.monotonic()
        killed = supervisor.stop()
        console.print(f"stopped in {time.monotonic() - started:.1f} s"
                      + (f" (killed, not stopped in time: {', '.join(killed)})" if killed else ""))


@app.command()
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
    if not Settings().telegram_bot_token:
        err.print("[red]TELEGRAM_BOT_TOKEN is not set[/red]: the bot cannot reach Telegram. "
                  "`langxanh chat` runs the same handlers in this terminal.")
        raise typer.Exit(2)
    runpy.run_module("bot", run_name="__main__")


@app.command()
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
    asyncio.run(chat_console(Settings(), as_, lang))


@app.command()
def run(service: str = typer.Argument(..., help=f"One of: {', '.join(SERVICES)}, gateway")) -> None:
    """Run one service (or the HTTP gateway) in the foreground."""
    from shared.catalog import EDGES

    if service not in SERVICES and service not in EDGES:
        err.print(f"[red]unknown service {service!r}; known: {', '.join([*SERVICES, *EDGES])}[/red]")
        raise typer.Exit(2)
    settings = Settings()
    _print_where(settings, [service])
    if service in EDGES:
        console.print(f"[bold]http[/bold]     http://{settings.gateway_host}:{settings.gateway_port}/docs")
    os.execv(sys.executable, process_command(service, settings))


@app.command()
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


def _matches(event: dict, pattern: str | None) -> bool:
    if not pattern:
        return True
    from shared.contracts.registry import event_name

    return fnmatch.fnmatch(event["type"], pattern) or fnmatch.fnmatch(event_name(event["type"]), pattern)


def _print_event(event: dict, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    data = event.get("data", {})
    label = data.get("name") or data.get("status") or data.get("commune") or ""
    console.print(f"{int(event['sequence']):>7} {event['time'][:19]} {event['type']:<50} "
                  f"{event.get('communecode') or '-':<20} {label}", highlight=False)


@app.command()
def events(
    from_start: bool = typer.Option(False, "--from-start", help="From the first event (default: the last 20)."),
    follow: bool = typer.Option(False, "--follow", help="Keep printing live events (no gap, no duplicate)."),
    type_: Optional[str] = typer.Option(None, "--type", help="Glob on the CloudEvent type or event name, e.g. 'site_*'."),
    as_json: bool = typer.Option(False, "--json", help="One CloudEvent JSON object per line."),
    service: str = typer.Option("sites", help="Which service's stream."),
) -> None:
    """Print the public events (CloudEvents) of a service."""
    from shared.kit.amqp import StreamConsumer
    from shared.kit.follower import Follower, MemoryProjection, pull_all

    settings = Settings()
    wait_for([service], 30)
    with _client() as c:
        backfill = c.backfill(service)
        start = 0
        if not from_start:
            head = c.call(service, "ping")["log_head"]
            start = max(0, head - 20)
        sink = MemoryProjection(lambda e: _print_event(e, as_json) if _matches(e, type_) else None)
        follower = Follower(service, sink, backfill)
        if not follow:
            for event in pull_all(backfill, start):
                sink.apply(service, event)
            return
        consumer = StreamConsumer(settings.amqp_uri, settings.exchange, [f"{service}.#"], durable=False)
        consumer.bind()  # bound before the backfill: nothing published meanwhile is missed
        sink.positions[service] = start
        follower.catch_up()
        try:
            consumer.run(follower.handle)
        except KeyboardInterrupt:
            pass
        finally:
            consumer.close()


@app.command()
def status(query: list[str] = typer.Argument(..., help="Site name, any accents or none: bat trang")) -> None:
    """Show the status card of the site that best matches QUERY."""
    text = " ".join(query)
    wait_for(["sites"], 30)
    with _client() as c:
        found = c.sites.search_sites(query=text, limit=5)
        if not found:
            err.print(f"[yellow]no site matches {text!r}[/yellow]")
            raise typer.Exit(1)
        site = c.sites.get_site(site_id=found[0]["id"])
        establishments = c.sites.site_establishments(site_id=site["id"])
        card = _indicator_card(c, site["id"])
    from bot.cards import card_rows, title

    t = Table(title=title("vi", site), show_header=False)
    for label, value in card_rows("vi", site, establishments, card):
        t.add_row(label, value)
    console.print(t)
    if len(found) > 1:
        console.print("Cũng khớp: " + ", ".join(f["name"] for f in found[1:]))


def _indicator_card(client, site_id: str):  # type: ignore[no-untyped-def]
    """The indicators' status card, or None when the indicators service is not running."""
    from nameko.exceptions import RpcTimeout, UnknownService

    from shared.kit.errors import NotFound

    try:
        return client.call("indicators", "status_card", site_id=site_id)
    except (UnknownService, RpcTimeout, NotFound):
        return None


@app.command()
def report(
    quarter: Optional[str] = typer.Option(None, "--quarter", help="Quarter (2025Q4) or year (2025) to issue"),
    unit: Optional[str] = typer.Option(None, help="city:hanoi, district:<code> or commune:<code> (default: all)"),
    fmt: str = typer.Option("md", "--format", help="md, html or csv"),
    report_id: Optional[str] = typer.Option(None, "--id", help="Render an issued report again, as issued"),
    diff: bool = typer.Option(False, "--diff", help="With --id: what changed since it was issued"),
    out: Optional[Path] = typer.Option(None, help="Write to this file instead of the terminal"),
) -> None:
    """Issue the quarterly report (an immutable snapshot) and render it; or render/diff an issued one."""
    from shared.kit.errors import LangXanhError
    from shared.reports import RENDERERS

    if fmt not in RENDERERS:
        err.print(f"[red]--format must be one of {', '.join(RENDERERS)}[/red]")
        raise typer.Exit(2)
    if not report_id and not quarter:
        err.print("[red]give --quarter to issue a report, or --id to show an issued one[/red]")
        raise typer.Exit(2)
    wait_for(["indicators"], 30)
    try:
        with _client(Actor("cli", "agency"), timeout=600) as c:
            if report_id is None:
                report_id = c.indicators.issue_report(period=quarter, unit=unit)["id"]
            if diff:
                changes = c.indicators.diff_report(report_id=report_id)["changes"]
                for ch in changes:
                    console.print(f"{ch['unit']:<28} {ch['target']:<28} {ch['issued']} → {ch['today']}", highlight=False)
                console.print(f"{len(changes)} figure(s) changed since the report was issued")
                return
            data = c.indicators.get_report(report_id=report_id)
    except LangXanhError as e:
        err.print(f"[red]{e} (field {e.field})[/red]")
        raise typer.Exit(1)
    text = RENDERERS[fmt](data)
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"report {data['id']} ({data['period']}) written to {out}")
    else:
        sys.stdout.write(text)


from shared.cli_photos import photos_app  # noqa: E402  (langxanh photos gc)

app.add_typer(photos_app, name="photos")
indicators_app = typer.Typer(help="The indicators service's projections.", no_args_is_help=True)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("rebuild")
def indicators_rebuild() -> None:
    """Forget the indicators' tracking and rebuild their facts from every source's log."""
    from shared.kit.client import ServiceClient
    from shared.kit.follower import Follower
    from shared.kit.sql import Db
    from shared.kit.store import app_for
    from services.indicators.application import IndicatorsApplication
    from services.indicators.views import IndicatorFacts

    settings = Settings()
    sources = ["sites", "inspections", "manifests"]
    wait_for(sources, 30)
    app_ = app_for(IndicatorsApplication, "indicators", settings)
    projection = IndicatorFacts(Db.of(app_))
    started = time.monotonic()
    total = 0
    with ServiceClient(settings=settings, timeout=120) as c, Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console) as progress:
        heads = {s: c.call(s, "ping")["log_head"] for s in sources}
        for source in sources:
            task = progress.add_task(f"rebuild from {source}", total=heads[source])

            def backfill(position, limit, source=source, task=task):  # type: ignore[no-untyped-def]
                events = c.call(source, "events_since", position=position, limit=limit)
                progress.update(task, completed=int(events[-1]["sequence"]) if events else heads[source])
                return events

            follower = Follower(source, projection, backfill, page=1000)
            total += follower.rebuild()
    seconds = time.monotonic() - started
    app_.close()
    console.print(f"rebuilt from {total} events in {seconds:.1f} s ({total / seconds if seconds else 0:.0f} events/s)")


catalogue_app = typer.Typer(help="The hazardous-waste code catalogue (manifests).", no_args_is_help=True)
app.add_typer(catalogue_app, name="catalogue")


def read_catalogue_file(path: Path) -> list[dict]:
    """Entries from a CSV (header: code,name_vi[,name_en,chapter,state,marker]) or a JSON file
    (a list of entries, or an object with a "codes" list)."""
    import csv

    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        entries = data["codes"] if isinstance(data, dict) else data
    else:
        entries = [{k.strip(): (v or "").strip() for k, v in row.items() if k and (v or "").strip()}
                   for row in csv.DictReader(text.splitlines())]
    for entry in entries:
        entry.setdefault("chapter", entry.get("code", "")[:2])
    return entries


@catalogue_app.command("load")
def catalogue_load(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or JSON with the official list"),
    version: str = typer.Option(..., help="Name of this catalogue version, e.g. TT02-2022-official"),
    title: str = typer.Option("Danh mục chất thải nguy hại", help="Title of the list"),
    source: str = typer.Option(..., help="Where the list comes from (legal reference)"),
) -> None:
    """Load a full official waste-code list as a new catalogue version (then in force)."""
    from shared.kit.errors import LangXanhError

    entries = read_catalogue_file(file)
    wait_for(["manifests"], 30)
    try:
        with _client(Actor("cli", "admin")) as c:
            answer = c.manifests.load_catalogue(version=version, title=title, source=source, codes=entries)
    except LangXanhError as e:
        err.print(f"[red]refused: {e} (field {e.field}, rule {e.rule}); nothing was loaded[/red]")
        raise typer.Exit(1)
    console.print(f"catalogue {answer['version']} loaded: {answer['codes']} codes, now in force")


@catalogue_app.command("show")
def catalogue_show(code: Optional[str] = typer.Argument(None, help="A code, e.g. '16 01 06'")) -> None:
    """The catalogue in force (or one code of it)."""
    wait_for(["manifests"], 30)
    with _client() as c:
        cat = c.manifests.waste_catalogue()
    rows = [e for e in cat["codes"] if code is None or e["code"] == code]
    console.print(f"catalogue {cat['version']}: {len(cat['codes'])} codes")
    for e in rows:
        flag = " (chưa xác minh)" if e.get("unconfirmed") else ""
        console.print(f"{e['code']}  {e.get('marker') or '':<2}  {e.get('name_vi')}{flag}", highlight=False)


def main() -> None:
    app()


from shared.keys_cli import keys_app  # noqa: E402  (issue 13: actor-assertion keys)

app.add_typer(keys_app, name="keys")

from shared.cli_staff import staff_cli  # noqa: E402  (issue 14: the staff workspace's accounts)

app.add_typer(staff_cli, name="staff")

from shared.cli_transfer import export, import_app  # noqa: E402  (issue 16: the registry as spreadsheets)

app.add_typer(import_app, name="import")
app.command("export", help="Export the registry or the indicators as XLSX or CSV.")(export)




gateway_app = typer.Typer(help="The HTTP gateway: agencies' API keys.", no_args_is_help=True)
app.add_typer(gateway_app, name="gateway")


@gateway_app.command("key")
def gateway_key(agency: str = typer.Argument(..., help="The agency's short name, e.g. so-nnmt-hanoi"),
                scope: list[str] = typer.Option(["events:read"], "--scope",
                                                help="events:read, reports:read, webhooks, open311:write, admin"),
                label: Optional[str] = typer.Option(None, help="A note, e.g. who holds it")) -> None:
    """Issue an API key (run on the gateway's host, against its store); the key is shown once."""
    from services.gateway.application import GatewayApplication
    from shared.kit.errors import LangXanhError
    from shared.kit.store import app_for

    gateway = app_for(GatewayApplication, "gateway", Settings())
    try:
        issued = gateway.issue_key(None, None, agency, scope, label)
    except LangXanhError as e:
        err.print(f"[red]{e} (field {e.field})[/red]")
        raise typer.Exit(2)
    finally:
        gateway.close()
    console.print(f"key {issued['key_id']} for {issued['agency']} ({', '.join(issued['scopes'])}):")
    print(issued["api_key"])


@gateway_app.command("revoke")
def gateway_revoke(key_id: str = typer.Argument(..., help="The key id printed when it was issued")) -> None:
    """Revoke an API key."""
    from services.gateway.application import GatewayApplication
    from shared.kit.errors import LangXanhError
    from shared.kit.store import app_for

    gateway = app_for(GatewayApplication, "gateway", Settings())
    try:
        gateway.revoke_key(None, None, key_id)
    except LangXanhError as e:
        err.print(f"[red]{e} (field {e.field})[/red]")
        raise typer.Exit(2)
    finally:
        gateway.close()
    console.print(f"key {key_id} revoked")


# -- the public stream for agencies: AsyncAPI document and broker accounts (issue 7) ---------------
@app.command("asyncapi")
def asyncapi_cmd(
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file instead of the terminal"),
    fmt: str = typer.Option("yaml", "--format", help="yaml or json"),
    from_settings: bool = typer.Option(False, "--from-settings",
                                       help="Describe the broker of AMQP_URI and LANGXANH_EXCHANGE (host and vhost, "
                                            "never credentials) instead of localhost:5672, vhost langxanh"),
) -> None:
    """The AsyncAPI 3 document of the public stream, generated from the contracts."""
    from shared import asyncapi

    if fmt not in ("yaml", "json"):
        err.print("[red]--format must be yaml or json[/red]")
        raise typer.Exit(2)
    if from_settings:
        settings = Settings()
        doc = asyncapi.document(settings.amqp_uri, settings.exchange)
    else:
        doc = asyncapi.document()
    text = asyncapi.render(doc, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"AsyncAPI {doc['asyncapi']}: {len(doc['channels'])} channels written to {out}")
    else:
        sys.stdout.write(text)


from shared.cli_broker import broker_app  # noqa: E402

app.add_typer(broker_app, name="broker")
agency_app = typer.Typer(help="Agencies' read-only accounts on the broker (subscribe to the public stream).",
                         no_args_is_help=True)
app.add_typer(agency_app, name="agency")


@agency_app.command("add")
def agency_add(
    name: str = typer.Argument(..., help="Short name: the user is agency-NAME, its queues agency.NAME.*"),
    password: Optional[str] = typer.Option(None, "--password", help="Default: a random one, printed once"),
) -> None:
    """Create (or re-apply) an agency's account on the vhost of AMQP_URI: it may declare, bind to
    langxanh.events and consume only its own queues agency.NAME.*."""
    from shared import agency

    settings = Settings()
    try:
        account = agency.add(name, settings.amqp_uri, settings.exchange, password)
    except agency.AgencyError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1)
    verb = "created" if account.created else "updated (permissions re-applied)"
    console.print(f"account {account.user} {verb} on vhost {account.vhost}; queues {account.queue_prefix}*",
                  highlight=False)
    for kind in ("configure", "write", "read"):
        console.print(f"  {kind:<9} {account.permissions[kind]}", highlight=False)
    if account.password is not None and password is None:
        console.print("password (shown once):")
        print(account.password)


@agency_app.command("remove")
def agency_remove(name: str = typer.Argument(..., help="The agency's short name")) -> None:
    """Delete an agency's account, close its connections and delete its queues agency.NAME.*."""
    from shared import agency

    try:
        removed = agency.remove(name, Settings().amqp_uri)
    except agency.AgencyError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1)
    if not removed:
        err.print(f"[yellow]no account agency-{name}[/yellow]")
        raise typer.Exit(1)
    console.print(f"account agency-{name} removed")


@app.command()
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
        outcome = asyncio.run(Demo(Settings(), Sizes(residents, reports, manifests, villages, seed=seed),
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
@app.command()
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
    settings = Settings()
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


if __name__ == "__main__":
    main()

"""`langxanh events`, `status`, `report`, `indicators rebuild`: reading the stream, a site's card,
the quarterly report and the indicators' projections."""
from __future__ import annotations

import fnmatch
import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.contracts.indicators_answers import StatusCard
from shared.contracts.sites_answers import SiteCard
from shared.kit.actor import Actor
from shared.kit.config import get_settings
from langxanh.common import _client, console, err, wait_for

commands = typer.Typer()


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


@commands.command()
def events(
    from_start: bool = typer.Option(False, "--from-start", help="From the first event (default: the last 20)."),
    follow: bool = typer.Option(False, "--follow", help="Keep printing live events (no gap, no duplicate)."),
    type_: Optional[str] = typer.Option(None, "--type", help="Glob on the CloudEvent type or event name, e.g. 'site_*'."),
    as_json: bool = typer.Option(False, "--json", help="One CloudEvent JSON object per line."),
    service: str = typer.Option("sites", help="Which service's stream."),
) -> None:
    """Print the public events (CloudEvents) of a service."""
    from shared.kit.amqp import StreamConsumer
    from eventsourcing.persistence import Tracking

    from shared.kit.follower import Follower, MemoryProjection, pull_all, tracking_of

    settings = get_settings()
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
                sink.process_event(event, tracking_of(service, event))
            return
        consumer = StreamConsumer(settings.amqp_uri, settings.exchange, [f"{service}.#"], durable=False)
        consumer.bind()  # bound before the backfill: nothing published meanwhile is missed
        sink.view.insert_tracking(Tracking(service, start))
        follower.catch_up()
        try:
            consumer.run(follower.handle)
        except KeyboardInterrupt:
            pass
        finally:
            consumer.close()


@commands.command()
def status(query: list[str] = typer.Argument(..., help="Site name, any accents or none: bat trang")) -> None:
    """Show the status card of the site that best matches QUERY."""
    text = " ".join(query)
    wait_for(["sites"], 30)
    with _client() as c:
        found = c.sites.search_sites(query=text, limit=5)
        if not found:
            err.print(f"[yellow]no site matches {text!r}[/yellow]")
            raise typer.Exit(1)
        site = SiteCard.model_validate(c.sites.get_site(site_id=found[0]["id"]))
        establishments = c.sites.site_establishments(site_id=str(site.id))
        card = _indicator_card(c, str(site.id))
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
        return StatusCard.model_validate(client.call("indicators", "status_card", site_id=site_id))
    except (UnknownService, RpcTimeout, NotFound):
        return None


@commands.command()
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



indicators_app = typer.Typer(help="The indicators service's projections.", no_args_is_help=True)
commands.add_typer(indicators_app, name="indicators")


@indicators_app.command("rebuild")
def indicators_rebuild() -> None:
    """Forget the indicators' tracking and rebuild their facts from every source's log."""
    from shared.kit.client import ServiceClient
    from shared.kit.follower import Follower
    from shared.kit.eventstore import open_store
    from services.indicators.application import IndicatorsApplication
    from services.indicators.views import IndicatorFacts

    settings = get_settings()
    sources = ["sites", "inspections", "manifests"]
    wait_for(sources, 30)
    store = open_store(IndicatorsApplication, "indicators", settings)  # the facts' tables are all it writes
    projection = IndicatorFacts(store.db)
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
    store.close()
    console.print(f"rebuilt from {total} events in {seconds:.1f} s ({total / seconds if seconds else 0:.0f} events/s)")

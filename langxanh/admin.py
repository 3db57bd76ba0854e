"""`langxanh catalogue`, `gateway`, `asyncapi`, `agency`: the waste catalogue, the gateway's API
keys, the AsyncAPI document and the agencies' broker accounts."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from shared.kit.actor import Actor
from shared.kit.config import get_settings
from langxanh.common import _client, console, err, wait_for

commands = typer.Typer()


catalogue_app = typer.Typer(help="The hazardous-waste code catalogue (manifests).", no_args_is_help=True)
commands.add_typer(catalogue_app, name="catalogue")


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


gateway_app = typer.Typer(help="The HTTP gateway: agencies' API keys.", no_args_is_help=True)
commands.add_typer(gateway_app, name="gateway")


@gateway_app.command("key")
def gateway_key(agency: str = typer.Argument(..., help="The agency's short name, e.g. so-nnmt-hanoi"),
                scope: list[str] = typer.Option(["events:read"], "--scope",
                                                help="events:read, reports:read, webhooks, open311:write, admin"),
                label: Optional[str] = typer.Option(None, help="A note, e.g. who holds it")) -> None:
    """Issue an API key (run on the gateway's host, against its store); the key is shown once."""
    from services.gateway.application import GatewayApplication
    from shared.kit.errors import LangXanhError
    from shared.kit.store import app_for

    gateway = app_for(GatewayApplication, "gateway", get_settings())
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

    gateway = app_for(GatewayApplication, "gateway", get_settings())
    try:
        gateway.revoke_key(None, None, key_id)
    except LangXanhError as e:
        err.print(f"[red]{e} (field {e.field})[/red]")
        raise typer.Exit(2)
    finally:
        gateway.close()
    console.print(f"key {key_id} revoked")


# -- the public stream for agencies: AsyncAPI document and broker accounts (issue 7) ---------------
@commands.command("asyncapi")
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
        settings = get_settings()
        doc = asyncapi.document(settings.amqp_uri, settings.exchange)
    else:
        doc = asyncapi.document()
    text = asyncapi.render(doc, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"AsyncAPI {doc['asyncapi']}: {len(doc['channels'])} channels written to {out}")
    else:
        sys.stdout.write(text)


agency_app = typer.Typer(help="Agencies' read-only accounts on the broker (subscribe to the public stream).",
                         no_args_is_help=True)
commands.add_typer(agency_app, name="agency")


@agency_app.command("add")
def agency_add(
    name: str = typer.Argument(..., help="Short name: the user is agency-NAME, its queues agency.NAME.*"),
    password: Optional[str] = typer.Option(None, "--password", help="Default: a random one, printed once"),
) -> None:
    """Create (or re-apply) an agency's account on the vhost of AMQP_URI: it may declare, bind to
    langxanh.events and consume only its own queues agency.NAME.*."""
    from shared import agency

    settings = get_settings()
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
        removed = agency.remove(name, get_settings().amqp_uri)
    except agency.AgencyError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1)
    if not removed:
        err.print(f"[yellow]no account agency-{name}[/yellow]")
        raise typer.Exit(1)
    console.print(f"account agency-{name} removed")

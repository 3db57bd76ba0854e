"""`langxanh broker …`: the components' broker users (shared/brokeracl.py, shared/broker_setup.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from shared.kit.config import get_settings

broker_app = typer.Typer(help="The broker's users: one per component, with only the permissions it needs.",
                         no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@broker_app.command("setup")
def setup(
    vhost: Optional[str] = typer.Option(None, "--vhost", help="Default: the vhost of AMQP_URI (made if missing)"),
    print_definitions: bool = typer.Option(False, "--print-definitions",
                                           help="Print the definitions document (no password) and change nothing"),
    credentials: Optional[Path] = typer.Option(None, "--credentials", help="Write COMPONENT=AMQP_URI lines of the "
                                               "new passwords to this file (mode 0600) instead of printing them"),
    host: Optional[str] = typer.Option(None, "--host", help="Broker host in the URIs written (default: AMQP_URI's)"),
    user_prefix: str = typer.Option("langxanh-", "--user-prefix", help="Users are PREFIX<component> (another "
                                    "prefix: a second deployment on the same broker; deploy files use langxanh-)"),
) -> None:
    """Make (or re-apply) the user of each service, the bot, the gateway and the CLI on the vhost,
    with their permissions, topic permissions and the agency queues' policy. AMQP_URI must hold an
    administrator's credentials. Existing users keep their passwords unless LANGXANH_BROKER_PASSWORDS
    gives one; new ones get a random password, shown once."""
    from shared import agency, broker_setup

    settings = get_settings()
    broker = agency.parse_amqp_uri(settings.amqp_uri)
    vhost = vhost or broker.vhost
    policy = broker_setup.agency_policy_from_settings(settings)
    if print_definitions:
        sys.stdout.write(json.dumps(broker_setup.definitions(vhost, settings.exchange, policy, user_prefix),
                                    indent=2, ensure_ascii=False) + "\n")
        return
    try:
        made = broker_setup.setup(settings.amqp_uri, settings.exchange, policy, vhost, settings.broker_passwords,
                                  prefix=user_prefix)
    except agency.AgencyError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1)
    for c in made:
        console.print(f"{c.user:<24} {'created' if c.created else 'updated'} on vhost {vhost}", highlight=False)
    new = [c for c in made if c.password is not None and c.component not in settings.broker_passwords]
    if credentials is not None:
        broker_setup.write_credentials(credentials, new, host or broker.host, broker.port, vhost)
        console.print(f"{len(new)} new password(s) written to {credentials} (mode 0600)", highlight=False)
    elif new:
        console.print("new passwords (shown once): AMQP_URI of each component")
        for c in new:
            print(f"{c.component}={c.uri(host or broker.host, broker.port, vhost)}")

"""`langxanh keys`: provision the components' actor-assertion keys (issue 13).

`langxanh keys secret bot` prints the JSON of LANGXANH_ACTOR_KEYS that the bot needs (its own
key only); for a service, its own key and those of every component that may call it. The keys
come from the keys directory (created there if missing): feed the output to a compose secret or
`kubectl create secret generic ... --from-literal=LANGXANH_ACTOR_KEYS="$(langxanh keys secret sites)"`.
"""
from __future__ import annotations

import json

import typer

from shared.kit.assertion import keyring_for, role_table
from shared.kit.config import get_settings

keys_app = typer.Typer(help="Actor-assertion keys of the components (bot, gateway, cli, each service).",
                       no_args_is_help=True)


def needed(component: str, table: dict) -> list[str]:
    """The keys `component` must hold: its own; a service also verifies every caller's."""
    from shared.catalog import SERVICES

    if component in SERVICES:
        return sorted(table)
    return [component]


@keys_app.command("secret")
def secret(component: str = typer.Argument(..., help="sites, inspections, manifests, indicators, bot, gateway, cli")) -> None:
    """Print {component: key} (JSON) for the LANGXANH_ACTOR_KEYS of `component`."""
    settings = get_settings()
    table = role_table(settings.actor_roles)
    if component not in table:
        typer.echo(f"unknown component {component}; one of {', '.join(sorted(table))}", err=True)
        raise typer.Exit(2)
    ring = keyring_for(settings)
    typer.echo(json.dumps({c: ring.key(c).decode() for c in needed(component, table)}, sort_keys=True))


@keys_app.command("init")
def init() -> None:
    """Create every component's key file in the keys directory (existing ones are kept)."""
    settings = get_settings()
    ring = keyring_for(settings)
    for component in sorted(role_table(settings.actor_roles)):
        ring.key(component)
    typer.echo(f"keys in {settings.keys_dir.resolve()}")

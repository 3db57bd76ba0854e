"""`langxanh staff`: the workspace's accounts from the command line (the first admin is made here).

`langxanh staff add EMAIL --role admin` prints a one-time set-password link; open it, choose a
password, log in at /staff/login. The CLI acts as the system operator (actor `cli:staff`), and
every change is an event of the account (its history: `langxanh staff show EMAIL`).
"""
from __future__ import annotations

import json

import typer

from shared.kit.config import get_settings

staff_cli = typer.Typer(help="Staff accounts of the workspace (/staff): add, list, show, change, disable, "
                             "enable, unlock, link.", no_args_is_help=True)
BY = {"id": "cli:staff", "role": "admin"}


def _staff():  # type: ignore[no-untyped-def]
    from services.gateway.staff import staff_app

    return staff_app(get_settings())


def _link(secret: str) -> str:
    settings = get_settings()
    base = (settings.staff.base_url or f"http://{settings.gateway.host}:{settings.gateway.port}").rstrip("/")
    return f"{base}/staff/password?token={secret}"


def _fail(e: Exception) -> None:
    field = getattr(e, "field", None)
    typer.echo(f"refused: {getattr(e, 'message', e)}" + (f" (field {field})" if field else ""), err=True)
    raise typer.Exit(1)


@staff_cli.command("add")
def add(email: str = typer.Argument(..., help="The person's work e-mail (their login)"),
        role: str = typer.Option(..., "--role", help="inspector, agency or admin"),
        commune: list[str] = typer.Option([], "--commune", help="A new commune or old district code the account is "
                                                                "limited to (repeat); none = the whole city"),
        unit: str = typer.Option(None, "--unit", help="An inspector's unit (reports assigned to it reach them)"),
        name: str = typer.Option(None, "--name", help="The person's name, as shown in the workspace")) -> None:
    """Add an account and print its one-time set-password link."""
    from shared.kit.errors import LangXanhError

    try:
        made = _staff().add(BY, email, role, commune, unit, name)
    except LangXanhError as e:
        _fail(e)
    typer.echo(f"account {made['email']} ({made['role']}) added; its one-time set-password link "
               f"(valid {get_settings().staff.link_hours} h, shown once):")
    typer.echo(_link(made["link_secret"]))


@staff_cli.command("link")
def link(email: str) -> None:
    """A new one-time set-password link (a forgotten password; the old link stops working)."""
    from shared.kit.errors import LangXanhError

    try:
        made = _staff().reset_link(BY, email)
    except LangXanhError as e:
        _fail(e)
    typer.echo(_link(made["link_secret"]))


@staff_cli.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every account: e-mail, role, communes, unit, state."""
    accounts = _staff().accounts()
    if as_json:
        typer.echo(json.dumps(accounts, ensure_ascii=False, indent=2))
        return
    for a in accounts:
        state = "disabled" if a["disabled"] else "locked" if a["locked_until"] else \
            "waiting for a password" if not a["password_set"] else "active"
        typer.echo(f"{a['email']:40} {a['role']:10} {','.join(a['communes']) or 'city':20} {a['unit'] or '-':16} {state}")


@staff_cli.command("show")
def show(email: str) -> None:
    """An account and its history (who created, changed, disabled it)."""
    from shared.kit.errors import LangXanhError
    from services.gateway.staff.application import document

    staff = _staff()
    try:
        typer.echo(json.dumps({"account": document(staff.account(email)), "history": staff.history(email)},
                              ensure_ascii=False, indent=2))
    except LangXanhError as e:
        _fail(e)


@staff_cli.command("change")
def change(email: str, role: str = typer.Option(..., "--role"),
           commune: list[str] = typer.Option([], "--commune"), unit: str = typer.Option(None, "--unit"),
           name: str = typer.Option(None, "--name")) -> None:
    """Set an account's role, communes and unit (its sessions end)."""
    from shared.kit.errors import LangXanhError

    try:
        _staff().change(BY, email, role, commune, unit, name)
    except LangXanhError as e:
        _fail(e)
    typer.echo(f"{email}: changed; its sessions ended")


def _simple(action: str, done: str):  # type: ignore[no-untyped-def]
    def command(email: str) -> None:
        from shared.kit.errors import LangXanhError

        try:
            getattr(_staff(), action)(BY, email)
        except LangXanhError as e:
            _fail(e)
        typer.echo(f"{email}: {done}")

    command.__doc__ = f"{action.capitalize()} an account."
    return command


staff_cli.command("disable", help="Disable an account (its sessions end).")(_simple("disable", "disabled"))
staff_cli.command("enable", help="Enable a disabled account.")(_simple("enable", "enabled"))
staff_cli.command("unlock", help="Unlock an account locked after wrong passwords.")(_simple("unlock", "unlocked"))

"""`langxanh`: the one command (typer), the composition root above services/ and bot/.

Each module holds the commands of one job and is merged here: langxanh/system.py (the processes),
reading.py (the stream, cards, reports), admin.py (catalogue, gateway keys, AsyncAPI, agencies),
and the groups photos, keys, staff, import/export and broker. shared/ (the kit, the contracts)
imports nothing from here, nor from services/ or bot/.
"""
from __future__ import annotations

import typer

from langxanh import admin, reading, system
from langxanh.broker import broker_app
from langxanh.keys import keys_app
from langxanh.photos import photos_app
from langxanh.staff import staff_cli
from langxanh.transfer import export, import_app

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Làng Xanh: environmental monitoring of Hanoi's craft villages, industrial zones and clusters.")
for module in (system, reading, admin):
    app.add_typer(module.commands)
app.add_typer(photos_app, name="photos")          # langxanh photos gc
app.add_typer(keys_app, name="keys")              # issue 13: actor-assertion keys
app.add_typer(staff_cli, name="staff")            # issue 14: the staff workspace's accounts
app.add_typer(import_app, name="import")          # issue 16: the registry as spreadsheets
app.add_typer(broker_app, name="broker")
app.command("export", help="Export the registry or the indicators as XLSX or CSV.")(export)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

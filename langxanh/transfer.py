"""`langxanh import` and `langxanh export` (issue 16): the registry as spreadsheets.

`langxanh import sites FILE` reads an XLSX or CSV and prints what applying it would do, row by row
(dry run, the default); `--apply` then sends it to the sites service — only when the whole file is
valid (a bad file changes nothing). Applying is idempotent: a second run sends the same command ids
and changes nothing. The CLI acts as `cli:import` with the admin role (the registry's writers:
services/sites/access.py). The core is shared/transfer/.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.kit.actor import Actor, Role

import_app = typer.Typer(help="Import the registry from a spreadsheet (XLSX or CSV): dry run, then --apply.",
                         no_args_is_help=True)
console = Console()
err = Console(stderr=True)
IMPORTER = Actor("cli:import", Role.ADMIN)
SHOWN_PROBLEMS = 200


class Sheet(str, Enum):
    sites = "sites"
    establishments = "establishments"


class Exported(str, Enum):
    sites = "sites"
    establishments = "establishments"
    indicators = "indicators"


class Format(str, Enum):
    xlsx = "xlsx"
    csv = "csv"


def print_report(plan: Any, out: Console = console) -> None:
    """Every problem (row, column, value, rule), then the summary."""
    if plan.problems:
        table = Table("row", "column", "value", "rule", "message", title="problems", show_lines=False)
        for p in plan.problems[:SHOWN_PROBLEMS]:
            table.add_row("-" if p.row is None else str(p.row), p.column or "", p.value or "", p.rule, p.message)
        out.print(table)
        if len(plan.problems) > SHOWN_PROBLEMS:
            out.print(f"… and {len(plan.problems) - SHOWN_PROBLEMS} more problems")
    for action in plan.actions:
        if action.verb == "amend":
            out.print(f"row {action.row}: {action.key} would change {', '.join(action.changed)}", highlight=False)
    s = plan.summary()
    out.print(f"would create {s['create']}, would change {s['amend']}, unchanged {s['unchanged']}, "
              f"errors {s['errors']} (in {s['error_rows']} rows)", highlight=False)


def run_import(client: Any, sheet: str, path: Path, apply_: bool, out: Console = console) -> tuple[Any, int]:
    """The dry run (and, when asked and the file is valid, applying it): (plan, new events)."""
    from shared.transfer.plan import apply
    from shared.transfer.reading import Limits
    from shared.transfer.registry import ClientRegistry, check_file

    limits = Limits()
    with path.open("rb") as f:
        data = f.read(limits.max_bytes + 1)  # one byte more than the cap: a larger file is refused unread
    plan = check_file(sheet, data, path.name, ClientRegistry(client), limits)
    print_report(plan, out)
    if not apply_ or not plan.valid:
        return plan, 0
    head_before = client.call("sites", "ping")["log_head"]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=out) as progress:
        task = progress.add_task(f"import {sheet}", total=len(plan.actions))

        def advance(action: Any) -> None:
            progress.update(task, description=f"row {action.row:<6} {action.key[:40]:<40}")
            progress.advance(task)

        apply(plan, lambda rpc, arguments: client.call("sites", rpc, **arguments), advance)
    new = client.call("sites", "ping")["log_head"] - head_before
    out.print(f"applied: {new} new events" + (" (nothing changed)" if new == 0 else ""))
    return plan, new


def _import(sheet: Sheet, file: Path, apply_: bool, wait: float) -> None:
    from langxanh.common import _client, wait_for

    wait_for(["sites"], wait)
    with _client(IMPORTER, timeout=60) as c:
        plan, _new = run_import(c, sheet.value, file, apply_)
    if not plan.valid:
        err.print("[red]the file has problems: nothing was applied[/red]" if apply_ else
                  "[red]the file has problems; fix them, then run again with --apply[/red]")
        raise typer.Exit(1)
    if not apply_:
        console.print("dry run: nothing changed; run again with --apply to apply")


FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="An .xlsx or .csv file")
APPLY = typer.Option(False, "--apply", help="Apply the file (only when every row is valid)")
WAIT = typer.Option(30.0, "--wait", help="Seconds to wait for the sites service to answer")


@import_app.command("sites")
def import_sites(file: Path = FILE, apply_: bool = APPLY, wait: float = WAIT) -> None:
    """Sites keyed by their reference key: new ones registered, changed ones amended."""
    _import(Sheet.sites, file, apply_, wait)


@import_app.command("establishments")
def import_establishments(file: Path = FILE, apply_: bool = APPLY, wait: float = WAIT) -> None:
    """Establishments keyed by their site and registration code."""
    _import(Sheet.establishments, file, apply_, wait)


def _write(data: bytes, output: Path, what: str) -> None:
    output.write_bytes(data)
    console.print(f"{what} written to {output} ({len(data):,} bytes)")


@import_app.command("template")
def import_template(sheet: Sheet = typer.Argument(..., help="sites or establishments"),
                    fmt: Format = typer.Option(Format.xlsx, "--format"),
                    output: Optional[Path] = typer.Option(None, "-o", "--output")) -> None:
    """An empty sheet with the columns the import reads (Vietnamese headers; English ones are read too)."""
    from shared.transfer.export import template

    _write(template(sheet.value, fmt.value), output or Path(f"{sheet.value}-template.{fmt.value}"), "template")


def export(what: Exported = typer.Argument(..., help="sites, establishments or indicators"),
           fmt: Format = typer.Option(..., "--format"),
           output: Optional[Path] = typer.Option(None, "-o", "--output"),
           period: Optional[str] = typer.Option(None, "--period", help="indicators: 2026 or 2026Q2 (default: this year)"),
           wait: float = WAIT) -> None:
    """The registry in the import's own columns (export then import changes nothing), or the figures."""
    from langxanh.common import _client, wait_for
    from shared.transfer.registry import export_file

    service = "indicators" if what is Exported.indicators else "sites"
    wait_for([service], wait)
    with _client(IMPORTER, timeout=60) as c:
        data = export_file(c, what.value, fmt.value, period)
    _write(data, output or Path(f"{what.value}.{fmt.value}"), what.value)

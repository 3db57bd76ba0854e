"""`langxanh photos gc`: delete the photos no incident or violation references once they are older
than the grace period (the inspections service also runs it on a timer: photo_gc_interval)."""
from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from shared.kit.config import Settings, get_settings

photos_app = typer.Typer(help="Inspections' stored photos.", no_args_is_help=True)
console = Console()


def collect(settings: Settings, grace_hours: float | None = None) -> dict:
    """One garbage collection over the inspections store and its blob folder."""
    from services.inspections.application import InspectionsApplication
    from services.inspections.photos import PhotoShelf
    from shared.kit.blobs import BlobStore
    from shared.kit.eventstore import open_store
    from shared.kit.photos import PhotoLimits

    store = open_store(InspectionsApplication, "inspections", settings)  # its log is all it reads
    try:
        shelf = PhotoShelf.of(store, BlobStore(settings.data_dir / "blobs", PhotoLimits.of(settings)), settings)
        if grace_hours is not None:
            shelf.grace_hours = grace_hours
        return shelf.collect_garbage()
    finally:
        store.close()


@photos_app.command("gc")
def gc(grace_hours: Optional[float] = typer.Option(
        None, "--grace-hours", min=1.0, help="Override photo_gc_grace_hours (never below one hour)")) -> None:
    """Delete unreferenced photos older than the grace period; referenced ones are never deleted."""
    settings = get_settings()
    result = collect(settings, grace_hours)
    console.print(f"photos: {result['deleted']} unreferenced deleted, {result['kept_referenced']} old but referenced "
                  f"kept (grace {grace_hours or settings.services.photo_gc_grace_hours:g} h)")

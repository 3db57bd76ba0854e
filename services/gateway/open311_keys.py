"""The key of Open311 reporters' pseudonyms: LANGXANH_GATEWAY_SECRET (`gateway_secret`), else a
random key made once and kept in <data dir>/gateway/open311.key (set the variable when several
gateways run)."""
from __future__ import annotations

import os
from pathlib import Path

from shared.kit.config import Settings

_KEYS: dict[tuple, bytes] = {}


def open311_secret(settings: Settings) -> bytes:
    given = settings.gateway.secret or os.environ.get("LANGXANH_GATEWAY_SECRET")
    if given:
        return given.encode()
    where = (str(settings.data_dir),)
    if where not in _KEYS:
        path = Path(settings.data_dir) / "gateway" / "open311.key"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            draft = path.with_name(f"open311.key.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(os.urandom(32).hex())
            try:
                os.link(draft, path)  # the first process to get there wins; others read its key
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        _KEYS[where] = path.read_text().strip().encode()
    return _KEYS[where]

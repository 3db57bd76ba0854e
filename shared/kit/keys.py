"""Service keys kept in the data dir: made once, atomically, readable by the owner only.

`load_key(configured, path)` returns the configured key when a setting gives one, else the key
stored at `path`, creating it first when absent. The key file appears complete or not at all
(written to a temporary file in the same folder, fsynced, then hard-linked into place, which
fails when another process won the race: its key is read instead), mode 0600 in a 0700 folder.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_key(configured: str | None, path: Path) -> bytes:
    if configured:
        return configured.encode()
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
                f.flush()
                os.fsync(f.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"the key in {path} is too short (remove it to make a new one)")
    return key.encode()

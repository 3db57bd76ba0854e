"""The HMAC keys of the calling components (issue 13, actor assertions). Plain Python.

One key per component (each service, the bot, the gateway, the CLI). A key comes from, in order:
the explicit setting (`LANGXANH_ACTOR_KEYS`, a JSON object {component: key}: compose/k8s Secrets),
then the file `<keys dir>/<component>.key`. With `actor_keys_create` (the default, so `make run`
and the tests need no configuration), a missing file is made by the first process that needs it:
32 random bytes in hex, mode 0600, written to a temporary file and hard-linked into place, so two
processes racing to create it end up with the same key (the loser reads the winner's file).
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

COMPONENT = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MIN_KEY_CHARS = 32


class MissingKey(LookupError):
    """No key for a component (not given, no file, creation off)."""


def _check(component: str) -> None:
    if not COMPONENT.match(component or ""):
        raise MissingKey(f"not a component name: {component!r}")


class KeyRing:
    """The keys one process can see. Thread-safe; each key is read (or created) once."""

    def __init__(self, keys_dir: Path, explicit: dict[str, str] | None = None, create: bool = True) -> None:
        self.keys_dir = Path(keys_dir)
        self.create = create
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()
        for component, key in (explicit or {}).items():
            _check(component)
            if len(key.strip()) < MIN_KEY_CHARS:
                raise ValueError(f"the actor key of {component} is shorter than {MIN_KEY_CHARS} characters")
            self._keys[component] = key.strip().encode()

    def key(self, component: str) -> bytes:
        """The key of `component`, or MissingKey."""
        _check(component)
        with self._lock:
            if component not in self._keys:
                self._keys[component] = self._load(component)
            return self._keys[component]

    def has(self, component: str) -> bool:
        try:
            self.key(component)
            return True
        except MissingKey:
            return False

    def _load(self, component: str) -> bytes:
        path = self.keys_dir / f"{component}.key"
        try:
            return _read(path)
        except FileNotFoundError:
            if not self.create:
                raise MissingKey(f"no key for component {component} (no {path}, none in LANGXANH_ACTOR_KEYS)") from None
        return _create(path)


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    if len(text) < MIN_KEY_CHARS:
        raise MissingKey(f"{path}: a key of at least {MIN_KEY_CHARS} characters expected")
    if path.stat().st_mode & 0o077:
        log.warning("%s is readable by other users than its owner (chmod 600 it)", path)
    return text.encode()


def _create(path: Path) -> bytes:
    """Make `path` atomically (0600), or read the one another process made first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if it exists: never replaces a key another process uses
            log.info("created the actor key %s", path)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return _read(path)


def write_key(path: Path) -> bytes:
    """`langxanh`-side helper: make a new key file at `path` unless one exists (for provisioning)."""
    return _create(Path(path))


def load_key(configured: str | None, path: Path) -> bytes:
    """A service's own secret (the link codes' HMAC key): the configured one when a setting gives
    it, else the key file at `path`, made once (atomically, 0600) by the first process that needs it."""
    if configured:
        return configured.encode()
    path = Path(path)
    try:
        return _read(path)
    except FileNotFoundError:
        return _create(path)

"""The bot's conversation state file (issue 13, "links"): PTB's PicklePersistence, written
atomically and privately.

PTB v22 writes the pickle in place (`open("wb")` then dump): a crash in the middle leaves a
truncated file that cannot be loaded, every conversation lost. Here each write goes to a
temporary file in the same folder, is fsynced, then `os.replace`d over the old one (and the
folder fsynced): a reader sees the previous state or the new one, never half of one. The file
is 0600 in a 0700 folder. Exact coordinates never go into it (bot/flows/report.py keeps them
in the bot's store until the report is filed).
"""
from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from telegram.ext import PicklePersistence
from telegram.ext._picklepersistence import _BotPickler  # PTB 22.8 (pinned): the pickler that keeps Bot references

FILE_MODE, DIR_MODE = 0o600, 0o700


def write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write `path` by `write(file)` into a temporary file beside it, then replace it."""
    path = Path(path)
    folder = path.parent
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)


def private_file(path: Path, own_folder: bool) -> None:
    """The state file's folder made (0700; an existing one tightened too when it is the bot's
    own, e.g. <data dir>/bot), and an existing state file tightened to 0600."""
    path = Path(path)
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if own_folder:
        os.chmod(path.parent, DIR_MODE)
    if path.exists():
        os.chmod(path, FILE_MODE)


class AtomicPicklePersistence(PicklePersistence):
    def __init__(self, filepath: Path, own_folder: bool = True, **kwargs: Any) -> None:
        private_file(Path(filepath), own_folder)
        super().__init__(filepath, **kwargs)

    def _dump_singlefile(self) -> None:
        data = {"conversations": self.conversations, "user_data": self.user_data, "chat_data": self.chat_data,
                "bot_data": self.bot_data, "callback_data": self.callback_data}
        self._dump_file(self.filepath, data)

    def _dump_file(self, filepath: Path, data: object) -> None:
        write_atomically(Path(filepath),
                         lambda f: _BotPickler(self.bot, f, protocol=pickle.HIGHEST_PROTOCOL).dump(data))

"""Bot replicas started together share the data dir's secret: the one that loses the race to
create it reads the winner's, whole (the e2e runtime story's two replicas once crashed here with
FileExistsError, the loser having seen no file a moment before)."""
from __future__ import annotations

import threading
from pathlib import Path

from bot.store import load_secret
from shared.kit.config import BotSettings, Settings


def test_a_replica_that_loses_the_race_reads_the_winners_secret(tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path, bot=BotSettings(secret=None))
    winner = load_secret(settings)
    real = Path.exists
    # the loser looked before the winner's file was there
    monkeypatch.setattr(Path, "exists", lambda self: False if self.name == "secret" else real(self))
    assert load_secret(settings) == winner
    assert [p.name for p in (tmp_path / "bot").iterdir()] == ["secret"]  # no file of its own left behind


def test_replicas_starting_at_once_all_read_one_whole_secret(tmp_path):
    settings = Settings(data_dir=tmp_path, bot=BotSettings(secret=None))
    got: list[bytes] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            got.append(load_secret(settings))
        except BaseException as e:  # noqa: BLE001 - the race's failure is what is counted
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == [] and len(set(got)) == 1 and len(got[0]) == 64

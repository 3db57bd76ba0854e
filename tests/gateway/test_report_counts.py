"""The Open311 day quota as a counter row (services/gateway/quota.py), on both stores: one write
transaction per report, no event in the gateway's log, and the same rules as the event-sourced
count it replaced (refused past the limit with nothing written, a command counted once, replicas
sharing the count, twins at the same moment counted once)."""
import threading

import pytest

from services.gateway.application import GatewayApplication, TooMany
from shared.kit.store import app_for


@pytest.fixture
def two(settings):
    a, b = app_for(GatewayApplication, "gateway", settings), app_for(GatewayApplication, "gateway", settings)
    yield a, b
    a.close()
    b.close()


def test_a_report_is_counted_without_an_event_and_refused_past_the_limit(two):
    a, _ = two
    head = a.log_head()
    assert [a.count_report(f"c{i}", "r1", "2026-12-04", 3)["count"] for i in range(3)] == [1, 2, 3]
    with pytest.raises(TooMany, match="filed 3 reports today"):
        a.count_report("c4", "r1", "2026-12-04", 3)
    assert a.count_report("c1", "r1", "2026-12-04", 3) == {"bucket": "r1", "day": "2026-12-04", "count": 2}, \
        "a retry of a counted report answers its count, past the limit too"
    with pytest.raises(TooMany):  # the refused one was not recorded: refused again
        a.count_report("c4", "r1", "2026-12-04", 3)
    assert a.count_report("c5", "r1", "2026-12-05", 3)["count"] == 1, "a new day"
    assert a.count_report("c6", "r2", "2026-12-04", 3)["count"] == 1, "another reporter"
    assert a.log_head() == head, "no event in the gateway's log"


def test_replicas_share_the_count_and_concurrent_twins_count_once(two):
    a, b = two
    answers, errors = [], []
    barrier = threading.Barrier(8)

    def post(app, command):
        barrier.wait()
        try:
            answers.append((command, app.count_report(command, "r1", "2026-12-04", 5)["count"]))
        except TooMany:
            errors.append(command)

    commands = ["t1", "t1", "t2", "t2", "t3", "t4", "t5", "t6"]  # two twins; six distinct reports
    threads = [threading.Thread(target=post, args=((a, b)[i % 2], c)) for i, c in enumerate(commands)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    by_command: dict = {}
    for command, count in answers:
        by_command.setdefault(command, set()).add(count)
    assert all(len(counts) == 1 for counts in by_command.values()), f"a twin answered another count: {by_command}"
    assert sorted(c for counts in by_command.values() for c in counts) == [1, 2, 3, 4, 5]
    assert len(set(errors)) == 1 and not set(errors) & set(by_command), \
        f"six reports, a limit of five: one refused (with its twin, if it is one): {answers}, {errors}"
    with pytest.raises(TooMany, match="filed 5"):
        b.count_report("t7", "r1", "2026-12-04", 5)


def test_the_look_for_a_counted_report_opens_no_transaction_on_postgresql(pg_url, tmp_path, schema_prefix):
    """The first look of every report (was it counted already?) is one statement, no BEGIN/ROLLBACK."""
    from shared.kit.config import Settings

    app = app_for(GatewayApplication, "gateway", Settings(data_dir=tmp_path, database_url=pg_url,
                                                          schema_prefix=schema_prefix))
    app.count_report("c1", "r1", "2026-12-04", 3)
    datastore, opened = app.factory.datastore, []
    real = datastore.transaction
    datastore.transaction = lambda **kw: opened.append(kw) or real(**kw)
    try:
        assert app.count_report("c1", "r1", "2026-12-04", 3)["count"] == 1
    finally:
        datastore.transaction = real
    assert opened == [], "a counted report answered from one statement"
    app.close()

"""Group commit (shared/kit/group_commit.py): concurrent commands of one process are written in
one transaction with each command's record; a batch that fails is written again one by one, so
only the raced command is retried and a twin command id still acts once. On both stores."""
import threading

from services.sites.application import SitesApplication
from shared.kit.store import app_for
from tests.kit.conftest import AGENCY
from tests.kit.test_idempotency import run_together
from tests.ports import sites_ports


def gathering(app, n, before_write=None):
    """The first `n` saves all queue before any is written (a barrier where the group gives other
    savers a turn); `before_write` runs once, after they queued and before the batch is written."""
    barrier = threading.Barrier(n, action=before_write, timeout=10)
    passed = threading.Event()

    def gather():
        if not passed.is_set():
            barrier.wait()
            passed.set()

    app._group._gather = gather


def register(app, i, command_id=None):
    return lambda: app.register_site(AGENCY, command_id or f"reg-{i}", kind="craft_village", name=f"Làng {i}",
                                     old_district="gia-lam")


def test_concurrent_commands_are_written_in_one_transaction_each_with_its_record(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    head, transactions = app.log_head(), app._group.transactions
    gathering(app, 8)
    answers = run_together(*[register(app, i) for i in range(8)])
    assert app._group.transactions - transactions == 1, "eight saves, one transaction"
    assert len({a["id"] for a in answers}) == 8
    assert app.log_head() == head + 8
    for i, answer in enumerate(answers):
        assert app.recorded_answer(f"reg-{i}") == answer, "each command's record, stored with its events"
        assert app.get_site(answer["id"])["version"] == 1
    assert app.register_site(AGENCY, "reg-3", kind="craft_village", name="again", old_district="gia-lam") == answers[3]
    assert app.log_head() == head + 8, "the same command id again acts no more"
    app.close()


def test_a_batch_with_a_raced_command_is_written_again_alone_and_only_the_raced_one_is_retried(settings):
    a = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    b = app_for(SitesApplication, "sites", settings, ports=sites_ports())  # another replica
    site = a.register_site(AGENCY, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    waits = []
    a.retry_sleep = waits.append
    gathering(a, 4, before_write=lambda: b.set_wwtp(AGENCY, None, site["id"], "idle"))  # after a's read
    answers = run_together(register(a, 1), register(a, 2), register(a, 3),
                           lambda: a.set_wwtp(AGENCY, "wwtp-1", site["id"], "planned"))
    assert a._group.retried_alone == 4, "the failed batch was written one by one"
    assert len(waits) == 1, "only the raced command was read again and retried"
    assert all(a.get_site(x["id"])["version"] == 1 for x in answers[:3])
    doc = a.get_site(site["id"])
    assert doc["version"] == 3 and doc["wwtp"]["status"] == "planned"
    assert [a.recorded_answer(f"reg-{i}") for i in (1, 2, 3)] == answers[:3]
    assert a.recorded_answer("wwtp-1") == answers[3]
    a.close()
    b.close()


def test_twins_of_one_command_in_one_batch_act_once_and_both_answer_its_answer(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    head = app.log_head()
    gathering(app, 3)
    answers = run_together(register(app, 1, "twin"), register(app, 2, "twin"), register(app, 3))
    assert answers[0] == answers[1], "the twin answers the command's one answer"
    assert app.recorded_answer("twin") == answers[0]
    assert app.log_head() == head + 2, "one site for the twins, one for the other command"
    app.close()


def test_a_commands_first_look_on_postgresql_is_one_statement_without_a_transaction(pg_url, tmp_path, schema_prefix):
    """Every command first looks for its record; on PostgreSQL that look was BEGIN, SELECT, ROLLBACK
    (three round trips, each a turn of the service's hub); it is one SELECT now (SQLite's is a
    local call either way)."""
    from shared.kit.config import Settings

    settings = Settings(data_dir=tmp_path, database_url=pg_url, schema_prefix=schema_prefix)
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    site = app.register_site(AGENCY, "look-1", kind="craft_village", name="Vạn Phúc", old_district="ha-dong")
    datastore, opened = app.recorder.datastore, []
    real = datastore.transaction
    datastore.transaction = lambda **kw: opened.append(kw) or real(**kw)
    try:
        assert app.recorded_answer("look-1") == site
        assert app.recorded_answer("look-2") is None
    finally:
        datastore.transaction = real
    assert opened == [], "no transaction for a look"
    app.close()

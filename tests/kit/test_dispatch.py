"""Followers receive contract instances and dispatch on their class (shared/kit/dispatch.py); an
envelope no contract understands is counted and logged, never passed over silently."""
import logging
from functools import singledispatchmethod

from prometheus_client import CollectorRegistry

from services.indicators.views import IndicatorFacts
from shared.contracts.base import PublicEvent
from shared.contracts.sites import SiteDeactivated, SiteRegistered
from shared.kit.dispatch import ContractProjection
from shared.kit.follower import Follower
from shared.kit.metrics import Metrics
from tests.kit.conftest import make_history

UNKNOWN = "vn.langxanh.sites.site_teleported.v1"


class SitesSeen(ContractProjection):
    name = "test_sites_seen"
    tables = ("CREATE TABLE IF NOT EXISTS {t:test_seen} (seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, "
              "site TEXT NOT NULL)",)

    @singledispatchmethod
    def on(self, event: PublicEvent, cur, got) -> None:
        """Not followed here."""

    @on.register
    def _registered(self, event: SiteRegistered, cur, got) -> None:
        cur.execute("INSERT INTO {t:test_seen} (seq, kind, site) VALUES (%s,%s,%s)",
                    (got.sequence, type(event).__name__, str(event.id)))

    @on.register
    def _deactivated(self, event: SiteDeactivated, cur, got) -> None:
        cur.execute("INSERT INTO {t:test_seen} (seq, kind, site) VALUES (%s,%s,%s)",
                    (got.sequence, type(event).__name__, got.subject))

    def clear(self, cur) -> None:
        cur.execute("DELETE FROM {t:test_seen}")

    def seen(self) -> list[dict]:
        return self.rows("SELECT seq, kind, site FROM {t:test_seen} ORDER BY seq")


def _stream(mapper, sites_app):
    make_history(sites_app, n_sites=4)
    return mapper.events_since(0, 1000)


def _backfill(events):
    return lambda position, limit: [e for e in events if int(e["sequence"]) > position][:limit]


def test_handlers_receive_contract_instances_by_class(sites_app, mapper, db):
    events = _stream(mapper, sites_app)
    projection = SitesSeen(db)
    Follower("sites", projection, _backfill(events)).catch_up()
    seen = projection.seen()
    registered = [e for e in events if e["type"] == "vn.langxanh.sites.site_registered.v1"]
    assert [r["site"] for r in seen if r["kind"] == "SiteRegistered"] == [e["subject"] for e in registered]
    assert [r["kind"] for r in seen].count("SiteDeactivated") == 1
    assert projection.view.max_tracking_id("sites") == int(events[-1]["sequence"])
    assert not projection.unknown


def test_an_unknown_type_is_counted_and_logged_and_the_rest_applied(sites_app, mapper, db, caplog):
    events = _stream(mapper, sites_app)
    events[1] = dict(events[1], type=UNKNOWN)                            # a producer newer than us
    events[2] = dict(events[2], data={"id": "not-a-uuid", "kind": 7})  # data its contract refuses
    metrics = Metrics(CollectorRegistry())
    projection = IndicatorFacts(db)
    follower = Follower("sites", projection, _backfill(events), metrics=metrics.follower("indicators", "sites"))
    with caplog.at_level(logging.WARNING, logger="langxanh.follower"):
        follower.catch_up()
    refused = events[2]["type"]
    assert projection.unknown == {UNKNOWN: 1, refused: 1}
    assert metrics.value("langxanh_follower_unknown_total", service="indicators", source="sites", type=UNKNOWN) == 1
    assert metrics.value("langxanh_follower_unknown_total", service="indicators", source="sites", type=refused) == 1
    logged = [r.getMessage() for r in caplog.records if r.name == "langxanh.follower"]
    assert len(logged) == 2 and UNKNOWN in logged[0] and events[1]["id"] in logged[0]
    assert "refuses its data" in logged[1]
    assert projection.view.max_tracking_id("sites") == int(events[-1]["sequence"])  # passed over, not a stuck follower
    registered = {e["subject"] for e in events if e["type"].endswith(".site_registered.v1")}
    assert {s["site_id"] for s in projection.sites()} == registered - {events[1]["subject"], events[2]["subject"]}


def test_a_rebuild_gives_the_same_facts_as_following(sites_app, mapper, db):
    events = _stream(mapper, sites_app)
    projection = IndicatorFacts(db)
    follower = Follower("sites", projection, _backfill(events), page=3)
    follower.catch_up()
    before = projection.dump()
    assert before["ind_site"] and before["ind_fact"]
    follower.rebuild()
    assert projection.dump() == before

"""The audit trail (shared/kit/audit.py), as every service answers `audit_trail`: one row per stored
event that names its actor, by actor and by record, newest first, paged exactly; a chat pseudonym
shown to admins only; nothing but ids, names and times (no free text)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from shared.contracts.audit import AuditTrail as AuditQuery
from shared.kit.actor import Actor, Role
from shared.kit.audit import AuditTrail, kind_of
from shared.kit.errors import Forbidden, InvalidInput
from shared.kit.sql import Db
from tests.security.authz_world import ADMIN, AGENCY, INSPECTOR, RESIDENT, World


@pytest.fixture
def world(settings):
    w = World(settings)
    yield w
    w.close()


def trail(world: World, service: str, viewer: Actor, **query) -> dict:
    """Through the service's entrypoint, as nameko runs it (contract, role table, kit)."""
    return world.service(service, viewer).audit_trail(**query)


def every_row(world: World, service: str, viewer: Actor, limit: int = 3, **query) -> list[dict]:
    rows, before = [], None
    while True:
        page = trail(world, service, viewer, limit=limit, **({"before": before} if before else {}), **query)
        rows += page["rows"]
        before = page["next_before"]
        if before is None:
            return rows


def test_every_stored_event_that_names_an_actor_has_one_row_in_each_service(world):
    world.inspections.triage_incident(AGENCY, None, world.incident, "noise", "high")
    for service, app in world.apps.items():
        events = [app.mapper.to_domain_event(n) for n in app.select_notifications(0, app.log_head() + 1)]
        acted = [(str(e.originator_id), kind_of(e), e.actor["id"]) for e in events if isinstance(getattr(e, "actor", None), dict)]
        rows = []
        for aggregate in {a for a, _k, _i in acted}:
            rows += every_row(world, service, ADMIN, aggregate_id=aggregate)
        assert sorted((r["aggregate_id"], (r["aggregate_kind"], r["event"]), r["actor_id"]) for r in rows) \
            == sorted(acted), service
        assert len({(r["service"], r["sequence"]) for r in rows}) == len(rows) == len(acted) > 0


def test_a_record_s_trail_names_who_did_what_newest_first(world):
    world.inspections.triage_incident(AGENCY, None, world.incident, "noise", "high")
    world.inspections.assign_incident(AGENCY, None, world.incident, "Đội 1", INSPECTOR.id, None)
    rows = trail(world, "inspections", AGENCY, aggregate_id=world.incident)["rows"]
    assert [(r["event"], r["actor_role"]) for r in rows] == [
        ("Assigned", "agency"), ("Triaged", "agency"), ("Reported", "resident")]
    assert [r["actor_id"] for r in rows] == [AGENCY.id, AGENCY.id, None]  # the reporter's pseudonym: hidden
    assert [r["sequence"] for r in rows] == sorted((r["sequence"] for r in rows), reverse=True)
    assert all(r["aggregate_kind"] == "incident" and r["service"] == "inspections" for r in rows)
    assert rows[0]["recorded_at"] >= rows[-1]["recorded_at"] and rows[0]["recorded_at"].endswith("+00:00")
    by_admin = trail(world, "inspections", ADMIN, aggregate_id=world.incident)["rows"]
    assert by_admin[-1]["actor_id"] == RESIDENT.id


def test_a_person_s_trail_spans_their_records_and_pages_exactly(world):
    for n in range(4):
        world.sites.register_site(AGENCY, None, kind="craft_village", name=f"Làng {n}", old_district="gia-lam")
    other = Actor("staff:b@hanoi.gov.vn", Role.AGENCY)
    world.sites.register_site(other, None, kind="craft_village", name="Làng khác", old_district="gia-lam")
    mine = [n.id for n in world.sites.select_notifications(0, 100)
            if world.sites.mapper.to_domain_event(n).actor["id"] == AGENCY.id]
    rows = every_row(world, "sites", AGENCY, limit=4, actor=AGENCY.id)
    assert [r["sequence"] for r in rows] == sorted(mine, reverse=True)  # every one once, newest first
    assert {r["actor_id"] for r in rows} == {AGENCY.id}
    assert {r["aggregate_kind"] for r in rows} == {"site", "establishment"}
    first = trail(world, "sites", AGENCY, actor=AGENCY.id, limit=4)
    assert len(first["rows"]) == 4 and first["next_before"] == first["rows"][-1]["sequence"]
    assert trail(world, "sites", AGENCY, actor=other.id)["rows"][0]["event"] == "Registered"
    assert trail(world, "sites", AGENCY, actor=AGENCY.id, limit=200)["next_before"] is None


def test_before_a_time_and_a_new_command_seen_at_the_next_read(world):
    rows = trail(world, "sites", ADMIN, actor=AGENCY.id)["rows"]
    cut = rows[2]["recorded_at"]
    older = trail(world, "sites", ADMIN, actor=AGENCY.id, before_time=cut)["rows"]
    assert older == [r for r in rows if r["recorded_at"] < cut] and len(older) == len(rows) - 3
    assert trail(world, "sites", ADMIN, actor=AGENCY.id,
                 before_time=datetime.now(timezone.utc) - timedelta(days=3650))["rows"] == []
    world.sites.deactivate_site(ADMIN, None, world.site, "trùng")  # after the projection caught up
    newest = trail(world, "sites", AGENCY, actor=ADMIN.id)["rows"]
    assert [(r["event"], r["aggregate_id"]) for r in newest] == [("Deactivated", world.site)]


def test_a_non_admin_cannot_page_through_a_pseudonym(world):
    world.inspections.add_information(RESIDENT, None, world.incident, "thêm ảnh", [])
    assert trail(world, "inspections", AGENCY, actor=RESIDENT.id) == {
        "service": "inspections", "rows": [], "next_before": None}
    assert [r["event"] for r in trail(world, "inspections", ADMIN, actor=RESIDENT.id)["rows"]] == [
        "InformationAdded", "Reported"]
    business = trail(world, "manifests", AGENCY, aggregate_id=world.manifest)["rows"]
    assert [(r["actor_id"], r["actor_role"], r["establishment"]) for r in business] == [(None, "business", world.g)]
    assert "thêm ảnh" not in str(trail(world, "inspections", ADMIN, aggregate_id=world.incident))


def test_who_may_read_a_trail_and_what_it_refuses(world):
    for role in (Role.INSPECTOR, Role.RESIDENT, Role.BUSINESS, Role.SYSTEM, Role.PUBLIC):
        with pytest.raises(Forbidden) as e:
            trail(world, "sites", world.actor(role), actor=AGENCY.id)
        assert (e.value.field, e.value.rule) == ("actor.role", "role")
    with pytest.raises(InvalidInput) as e:
        trail(world, "sites", ADMIN)
    assert (e.value.field, e.value.rule) == ("actor", "required")
    for bad, field in ((dict(actor="a", limit=201), "limit"), (dict(actor="a", limit=0), "limit"),
                       (dict(actor="x" * 201), "actor"), (dict(actor="a\x00b"), "actor"),
                       (dict(actor="a", before=0), "before"), (dict(aggregate_id="not-a-uuid"), "aggregate_id"),
                       (dict(actor="a", before_time="2026-03-01T00:00:00"), "before_time")):
        with pytest.raises(InvalidInput) as e:
            trail(world, "sites", ADMIN, **bad)
        assert e.value.field == field, (bad, e.value.field)
        with pytest.raises(ValidationError):
            AuditQuery(**bad)


def test_a_rebuild_gives_the_same_rows(world):
    audit = AuditTrail(Db.of(world.inspections), world.inspections, "inspections")
    before = audit.trail(ADMIN, aggregate_id=world.incident)
    assert audit.rebuild() == world.inspections.log_head()
    assert audit.trail(ADMIN, aggregate_id=world.incident) == before

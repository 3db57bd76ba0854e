"""Issue 13, authorisation: every RPC of every service has an explicit role entry (as data:
services/<name>/access.py), the entrypoints refuse and admit exactly per that table on both stores,
and no query answer carries a field its caller's role must not see.

Attacks reproduced: a role calling an RPC nobody decided it may call (before: every entrypoint
without an application check — store_photo aside, queries such as get_plan, my_manifests,
site_history, events_since, ping — answered any role, the public one included); a new RPC shipped
without deciding who may call it."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from shared.kit.access import READ_ALL, STAFF
from shared.kit.actor import Actor, Role
from shared.kit.errors import Forbidden, LangXanhError
from tests.security.authz_world import RESIDENT, SERVICES, STAFF_NOTE, World, rpc_entrypoints
from shared.kit.nameko_glue import rpc_method


@pytest.fixture
def world(settings):
    w = World(settings)
    yield w
    w.close()


def test_every_rpc_entrypoint_of_every_service_has_an_explicit_role_entry():
    for name, cls in SERVICES.items():
        table = getattr(cls, "access", None)
        assert table is not None, f"{name}: the service class names no access table"
        entrypoints = rpc_entrypoints(cls)
        assert {"events_since", "ping"} <= entrypoints
        assert entrypoints == set(table), f"{name}: RPCs without an entry {entrypoints - set(table)}, " \
                                          f"entries without an RPC {set(table) - entrypoints}"
        for rpc, roles in table.items():
            assert roles <= set(Role), (name, rpc)
            assert Role.PUBLIC not in roles or rpc in PUBLIC_READS, f"{name}.{rpc}: the public role may only read"


PUBLIC_READS = {"events_since", "ping", "get_site", "search_sites", "search_establishments", "list_sites",
                "site_establishments", "get_establishment", "site_history", "get_incident", "list_incidents", "site_incident_counts",
                "get_plan", "sanction_catalogue", "waste_catalogue", "figures", "roadmap", "status_card", "get_report",
                "diff_report"}


def test_an_rpc_without_an_entry_is_refused_to_every_role(world):
    class Extended(SERVICES["sites"]):
        @rpc_method()
        def brand_new_query(self) -> str:
            return "answered"

    svc = world.service("sites", world.actor(Role.ADMIN))
    svc.__class__ = Extended
    for role in Role:
        svc.actor = world.actor(role)
        with pytest.raises(Forbidden) as e:
            svc.brand_new_query()
        assert (e.value.field, e.value.rule) == ("actor.role", "role")
        assert "no entry" in e.value.message


def role_payload(service: str, rpc: str, role: Role, payload: dict) -> dict:
    """A few RPCs take a payload that depends on who calls (a facility's bulk step is a treatment)."""
    if (service, rpc, role) == ("manifests", "bulk_sign", Role.TREATMENT_FACILITY):
        return dict(payload, step="treated", method="thiêu đốt", treated_on="2026-03-01")
    return payload


def call(world: World, service: str, rpc: str, actor: Actor, payload: dict) -> Any:
    return getattr(world.service(service, actor), rpc)(**payload)


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_rpc_refuses_and_admits_every_role_as_its_table_says(world, service):
    table = SERVICES[service].access
    payloads = world.payloads()[service]
    assert set(payloads) == set(table), "a payload per RPC"
    app = world.apps[service]
    outcomes = {}
    for rpc in sorted(table):
        for role in Role:
            head = app.log_head()
            try:
                call(world, service, rpc, world.actor(role), role_payload(service, rpc, role, payloads[rpc]))
                outcome = "answered"
            except Forbidden as e:
                outcome = f"forbidden:{e.rule}"
            except LangXanhError as e:  # admitted by its role; refused for what it asked (state, ids, party)
                outcome = type(e).__name__
            outcomes[(rpc, role.value)] = outcome
            if role in table[rpc]:
                assert outcome != "forbidden:role", (service, rpc, role.value, "the table admits this role")
            else:
                assert outcome == "forbidden:role", (service, rpc, role.value, outcome)
                assert app.log_head() == head, (service, rpc, role.value, "a refused call changed the log")
    admitted = [k for k, v in outcomes.items() if v != "forbidden:role"]
    assert admitted and len(admitted) < len(outcomes)


# -- what each role may see in a query answer --------------------------------------------------------
def keys_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(keys_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(keys_in(v) for v in value)) if value else set()
    return set()


INCIDENT_PRIVATE = {"description", "address", "photos", "additions", "finding", "rejection", "resolution_note",
                    "reporter"}
NOT_STAFF = set(Role) - READ_ALL


def check_incident(world: World, role: Role, answer: Any) -> None:
    if role in READ_ALL:
        assert answer["reporter"] == RESIDENT.id and answer["location"]["lat"] == 21.012345
        return
    is_reporter = role == Role.RESIDENT  # world.actor(RESIDENT) is the reporter
    forbidden = {"reporter"} if is_reporter else INCIDENT_PRIVATE
    assert not keys_in(answer) & forbidden, (role, keys_in(answer) & forbidden)
    if not is_reporter:
        assert answer["location"] == {"lat": 21.01, "lon": 105.92}  # coarse, never the exact point


def check_incident_rows(world: World, role: Role, answer: Any) -> None:
    """Every row of a list, as get_incident would show it to that role (the public: the public card)."""
    assert answer, (role, answer)
    for row in answer:
        if role in READ_ALL:
            assert "reporter" in row, (role, row)
        else:
            assert not keys_in(row) & INCIDENT_PRIVATE, (role, keys_in(row) & INCIDENT_PRIVATE)


def check_inbox_page(world: World, role: Role, answer: Any) -> None:
    """The staff inbox: the report is there, and never its reporter (not even to staff)."""
    assert world.incident in [row["id"] for row in answer["rows"]], answer
    assert "reporter" not in keys_in(answer) and RESIDENT.id not in str(answer)


def check_no_reporter(world: World, role: Role, answer: Any) -> None:
    assert answer and "reporter" not in keys_in(answer) and RESIDENT.id not in str(answer), answer


def check_other_reporter(world: World) -> None:
    other = Actor("tg:resident-2", Role.RESIDENT)
    answer = call(world, "inspections", "get_incident", other, {"incident_id": world.incident})
    assert not keys_in(answer) & INCIDENT_PRIVATE and answer["location"]["lat"] == 21.01
    assert call(world, "inspections", "my_incidents", other, {}) == []
    business = Actor(RESIDENT.id, Role.BUSINESS, establishment=world.g)  # a business using the reporter's id
    assert not keys_in(call(world, "inspections", "get_incident", business, {"incident_id": world.incident})) \
        & INCIDENT_PRIVATE


def check_history(world: World, role: Role, answer: Any) -> None:
    text = str(answer)
    if role in STAFF | {Role.SYSTEM}:
        assert "actor_id" in keys_in(answer) and STAFF_NOTE in text
    else:
        assert "actor_id" not in keys_in(answer) and STAFF_NOTE not in text


def check_staff_registry(world: World, role: Role, answer: Any) -> None:
    """The staff's registry queries answer staff only, and with staff's own words (a WWTP note)."""
    assert role in STAFF, role
    if "sites" in answer:
        assert answer["total"] == 1 and answer["sites"][0]["id"] == world.site and STAFF_NOTE in str(answer)
    elif "data_b64" in answer:
        assert base64.b64decode(answer["data_b64"]).startswith(b"%PDF-") and answer["content_type"] == "application/pdf"
    elif "establishments" in answer:
        assert [e["id"] for e in answer["establishments"]] == [world.t2, world.t], answer  # "Đỏ" < "Xanh"
    else:
        assert answer["id"] == world.site and STAFF_NOTE in str(answer) and answer["as_of"]["version"] >= 3


def check_own_rows(field: str, own_of: Any):  # type: ignore[no-untyped-def]
    def check(world: World, role: Role, answer: Any) -> None:
        own = own_of(world, role)
        if own is not None:
            assert answer and all(own in (row.get(field) if isinstance(row.get(field), list) else [row.get(field)])
                                  for row in answer), (role, answer)
    return check


def check_my_manifests(world: World, role: Role, answer: Any) -> None:
    numbers = {row["number"] for row in answer}
    assert numbers == {"CT-1"}, (role, numbers)  # never CT-O, which names other establishments


def check_no_staff_ids(world: World, role: Role, answer: Any) -> None:
    """Generic: no actor ids, no reporter, no staff's note anywhere in a non-staff answer."""
    if role not in READ_ALL:
        assert not keys_in(answer) & {"reporter", "actor_id", "actor"}, (role, keys_in(answer))
        assert STAFF_NOTE not in str(answer)


def check_audit(world: World, role: Role, answer: Any) -> None:
    """Every trail of the world has rows; a chat pseudonym (a resident's, a party's) only for admins."""
    rows = answer["rows"]
    assert rows, (role, answer)
    hidden = [r for r in rows if r["actor_role"] not in ("inspector", "agency", "admin", "system")]
    if role == Role.ADMIN:
        assert all(r["actor_id"] for r in rows)
    else:
        assert all(r["actor_id"] is None for r in hidden) and RESIDENT.id not in str(answer) \
            and "tg:" not in str(answer), (role, hidden)
    assert not {"description", "note", "reason", "text"} & keys_in(answer)  # no free text, ever


# every query of every service: what the roles it admits must not see (beyond check_no_staff_ids)
QUERY_CHECKS = {
    "sites": {"get_site": None, "search_sites": None, "search_establishments": None, "list_sites": None,
              "site_establishments": None, "get_establishment": None, "site_history": check_history,
              "staff_sites": check_staff_registry, "staff_establishments": check_staff_registry,
              "site_as_of": check_staff_registry, "get_evidence": check_staff_registry,
              "events_since": None, "ping": None, "audit_trail": check_audit},
    "inspections": {"get_incident": check_incident, "suggest_duplicates": None, "list_incidents": check_incident_rows,
                    "staff_inbox": check_inbox_page, "incident_history": check_no_reporter,
                    "incident_photo": check_no_reporter, "my_tasks": None, "incident_assignee": None,
                    "my_incidents": check_own_rows("id", lambda w, r: w.incident if r == Role.RESIDENT else None),
                    "site_incident_counts": None, "get_plan": None, "get_inspection": None,
                    "sanction_catalogue": None, "get_violation": None,
                    "list_violations": check_own_rows("establishment_id",
                                                      lambda w, r: w.g if r == Role.BUSINESS else None),
                    "plan_quarter": None, "list_inspections": None, "evaluate_samples": None,
                    "inspection_violations": None, "overdue_measures": None,  # staff only (issue 14)
                    "reporting_year": None, "owed_reports": None,  # its own establishment's / staff only (issue 16)
                    "events_since": None, "ping": None, "audit_trail": check_audit},
    "manifests": {"get_manifest": None, "my_manifests": check_my_manifests, "mass_balance": None,
                  "waste_catalogue": None, "events_since": None, "ping": None,
                  "staff_manifests": None, "staff_flag_counts": None, "staff_stock_overdue": None,
                  "staff_mass_balances": None, "audit_trail": check_audit},  # staff only (their table): no party sees them
    "indicators": {"figures": None, "roadmap": None, "status_card": None, "get_report": None, "diff_report": None,
                   "events_since": None, "ping": None, "targets": None, "drill_down": None, "site_events": None,
                   "list_reports": None, "compare_reports": None, "audit_trail": check_audit},
}


def test_every_query_of_every_service_has_a_visibility_check():
    for service, cls in SERVICES.items():
        queries = {n for n in rpc_entrypoints(cls) if getattr(getattr(cls, n), "kind", "query") == "query"}
        assert queries == set(QUERY_CHECKS[service]), (service, queries ^ set(QUERY_CHECKS[service]))


@pytest.mark.parametrize("service", list(SERVICES))
def test_no_query_answer_carries_a_field_its_role_must_not_see(world, service):
    table, payloads = SERVICES[service].access, world.payloads()[service]
    for rpc, check in QUERY_CHECKS[service].items():
        for role in table[rpc]:
            try:
                answer = call(world, service, rpc, world.actor(role), payloads[rpc])
            except Forbidden as e:
                assert e.rule != "role" and role not in READ_ALL, (rpc, role)  # a party check: not its own
                continue
            check_no_staff_ids(world, role, answer)
            if check is not None:
                check(world, role, answer)
    if service == "inspections":
        check_other_reporter(world)


def test_parties_read_only_what_names_their_establishment(world):
    other_transporter = Actor("tg:t2", Role.TRANSPORTER, establishment=world.t2)
    for rpc, payload in (("get_manifest", {"manifest_id": world.manifest}),):
        with pytest.raises(Forbidden) as e:
            call(world, "manifests", rpc, other_transporter, payload)
        assert e.value.rule == "party"
    assert {r["number"] for r in call(world, "manifests", "my_manifests", other_transporter, {})} == {"CT-O"}
    other_business = Actor("tg:g2", Role.BUSINESS, establishment=world.g2)
    for service, rpc, payload in (("manifests", "mass_balance", {"generator_id": world.g, "year": 2026}),
                                  ("inspections", "get_violation", {"violation_id": world.violation}),
                                  ("inspections", "get_inspection", {"inspection_id": world.inspection}),
                                  ("inspections", "reporting_year", {"establishment_id": world.g, "year": 2025})):
        with pytest.raises(Forbidden):
            call(world, service, rpc, other_business, payload)
    assert call(world, "inspections", "list_violations", other_business, {}) == []
    assert call(world, "inspections", "list_violations", other_business, {"establishment_id": world.g}) == []

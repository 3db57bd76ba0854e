"""Issue 13, manifests: facility 2 acts only after facility 1 has signed, and a discrepancy is
agreed only when both the generator and the receiving facility agree (either side, or staff, may
escalate; staff may decide) — on both stores. Before: facility 2 received and treated a load
facility 1 never signed for, and a business closed its own discrepancy alone."""
from __future__ import annotations

from datetime import date

import pytest

from shared.kit.actor import Actor, Role
from shared.kit.errors import Conflict, Forbidden
from tests.security.authz_world import AGENCY, LINE, World


@pytest.fixture
def world(settings):
    w = World(settings)
    yield w
    w.close()


def parties(w: World) -> tuple[Actor, Actor, Actor, Actor]:
    return (Actor("tg:gen", Role.BUSINESS, establishment=w.g), Actor("tg:t", Role.TRANSPORTER, establishment=w.t),
            Actor("tg:f1", Role.TREATMENT_FACILITY, establishment=w.f1),
            Actor("tg:f2", Role.TREATMENT_FACILITY, establishment=w.f2))


def in_transit(w: World, number: str, facility_2: str | None = None) -> str:
    gen, tr, _, _ = parties(w)
    mid = w.draft(number, facility_2=facility_2)
    w.manifests.sign_handover(gen, None, mid)
    w.manifests.sign_pickup(tr, None, mid)
    return mid


def measured(kg: float) -> list[dict]:
    return [{"line": 1, "code": LINE["code"], "quantity_kg": kg}]


def test_facility_2_neither_receives_nor_rejects_nor_treats_before_facility_1_signs(world):
    m = world.manifests
    _, _, fac1, fac2 = parties(world)
    mid = in_transit(world, "CT-F2", facility_2=world.f2)
    head = m.log_head()
    for attempt in (lambda: m.receive(fac2, None, mid, measured(100)),
                    lambda: m.reject(fac2, None, mid, None, "không nhận", None, "CT-F2-R"),
                    lambda: m.treat(fac2, None, mid, "thiêu đốt", date(2026, 3, 1)),
                    lambda: m.bulk_sign(fac2, None, [mid], "treated", "thiêu đốt", date(2026, 3, 1))):
        with pytest.raises((Forbidden, Conflict)) as e:
            attempt()
        assert e.value.rule in ("turn", "role"), e.value
    assert m.log_head() == head and m.get_manifest(fac2, mid)["state"] == "in_transit"
    with pytest.raises(Forbidden) as e:
        m.receive(fac2, None, mid, measured(100))
    assert e.value.rule == "turn" and "facility 1" in e.value.message
    # facility 1 signs at receipt; then facility 2 may record the treatment
    m.receive(fac1, None, mid, measured(100))
    assert m.treat(fac2, None, mid, "thiêu đốt", date(2026, 3, 1))["state"] == "treated"


def test_a_business_cannot_agree_its_own_discrepancy_alone(world):
    m = world.manifests
    gen, _, fac1, fac2 = parties(world)
    mid = in_transit(world, "CT-D1", facility_2=world.f2)
    m.receive(fac1, None, mid, measured(150))  # 50 % more than declared: a discrepancy opens
    m.resolve_discrepancy(gen, None, mid, "agreed", "tôi đồng ý")
    doc = m.get_manifest(gen, mid)
    assert doc["discrepancy"]["state"] == "open" and doc["discrepancy"]["accepted_by"] == ["generator"]
    with pytest.raises(Conflict):
        m.resolve_discrepancy(gen, None, mid, "agreed", "lần nữa")  # agreeing twice is still one side
    with pytest.raises(Forbidden):
        m.resolve_discrepancy(fac2, None, mid, "agreed", "không nhận hàng")  # not the receiving facility
    m.treat(fac1, None, mid, "thiêu đốt", date(2026, 3, 1))
    m.return_copy4(gen, None, mid)
    with pytest.raises(Conflict) as e:
        m.close_manifest(gen, None, mid)
    assert e.value.rule == "discrepancy"
    m.resolve_discrepancy(fac1, None, mid, "agreed", "đồng ý số cân")
    assert m.get_manifest(gen, mid)["discrepancy"]["state"] == "agreed"
    assert m.close_manifest(gen, None, mid)["state"] == "closed"


def test_either_side_escalates_alone_and_staff_decide(world):
    m = world.manifests
    gen, _, fac1, _ = parties(world)
    for number, who in (("CT-E1", gen), ("CT-E2", fac1), ("CT-E3", AGENCY)):
        mid = in_transit(world, number)
        m.receive(fac1, None, mid, measured(150))
        m.resolve_discrepancy(who, None, mid, "escalated", "không thống nhất")
        assert m.get_manifest(gen, mid)["discrepancy"]["state"] == "escalated"
    mid = in_transit(world, "CT-E4")
    m.receive(fac1, None, mid, measured(150))
    m.resolve_discrepancy(AGENCY, None, mid, "agreed", "cơ quan quyết định")
    assert m.get_manifest(gen, mid)["discrepancy"]["state"] == "agreed"

"""The audit trail over the real broker, on both stores: a sites service in its container answers
`audit_trail` to the gateway's staff (signed as the gateway) with what its own log recorded — kept
current beside the relay — and refuses an inspector and a resident without touching the log."""
from __future__ import annotations

import pytest

from services.sites.service import SitesService
from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from shared.kit.audit import AuditTrail
from shared.kit.errors import Forbidden, NotFound
from shared.kit.nameko_glue import ServiceKit
from tests.services.helpers import until

STAFF = Actor("staff:canbo@hanoi.gov.vn", Role.AGENCY)
ADMIN = Actor("staff:quantri@hanoi.gov.vn", Role.ADMIN)


def client(amqp_uri: str, actor: Actor) -> ServiceClient:
    return ServiceClient(actor=actor, amqp_uri=amqp_uri, timeout=30, component="gateway")


def test_the_gateway_s_staff_read_a_trail_over_the_broker(make_container, store_env, exchange_name, amqp_uri):
    container = make_container(SitesService)
    container.start()
    with client(amqp_uri, STAFF) as staff:
        site = staff.sites.register_site(kind="craft_village", name="Làng Gốm", old_district="gia-lam")["id"]
        staff.sites.set_wwtp(site_id=site, status="planned", note="ghi chú nội bộ")
    with client(amqp_uri, ADMIN) as admin:
        admin.sites.deactivate_site(site_id=site, reason="trùng")
        kit = next(d for d in container.extensions if isinstance(d, ServiceKit))
        head = admin.sites.ping()["log_head"]

        def caught_up():  # beside the relay, before anyone asks
            if (kit.audit.view.max_tracking_id(AuditTrail.SOURCE) or 0) < head:
                raise NotFound("not yet")
        until(caught_up)
        rows = admin.sites.audit_trail(aggregate_id=site)["rows"]
        assert [(r["event"], r["actor_id"]) for r in rows] == [
            ("Deactivated", ADMIN.id), ("WwtpStatusSet", STAFF.id), ("Registered", STAFF.id)]
        assert "ghi chú" not in str(rows)
        mine = admin.sites.audit_trail(actor=STAFF.id, limit=1)
        assert [r["event"] for r in mine["rows"]] == ["WwtpStatusSet"] and mine["next_before"]
        head = admin.sites.ping()["log_head"]
    for actor in (Actor("staff:thanhtra@hanoi.gov.vn", Role.INSPECTOR),):
        with client(amqp_uri, actor) as other, pytest.raises(Forbidden) as e:
            other.sites.audit_trail(actor=STAFF.id)
        assert e.value.rule == "role"
    with ServiceClient(actor=Actor("tg:1", Role.RESIDENT), amqp_uri=amqp_uri, timeout=30, component="bot") as bot:
        with pytest.raises(Forbidden) as e:
            bot.sites.audit_trail(actor=STAFF.id)
        assert e.value.rule == "role"
    with client(amqp_uri, ADMIN) as admin:
        assert admin.sites.ping()["log_head"] == head

"""Issue 15 — an inspector's link code bound to a staff account. Attacks: an inspector issuing a
code bound to someone else's account (or an establishment's), a staff binding on a code of
another role, a malformed e-mail; and link codes stored before the binding existed (v2 events)
replay with none. On SQLite and PostgreSQL."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from eventsourcing.persistence import StoredEvent
from pydantic import ValidationError

from services.sites.application import SitesApplication
from shared.contracts import sites as c
from shared.kit.actor import Actor
from shared.kit.errors import Forbidden, InvalidInput
from shared.kit.store import app_for
from tests.ports import sites_ports

ADMIN = Actor("admin-1", "admin")
TRA = Actor("staff:tra@so.vn", "inspector")


@pytest.fixture
def sites(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    yield app
    app.close()


def test_an_inspector_issues_only_their_own_code_and_a_refusal_stores_nothing(sites):
    head = sites.log_head()
    for role, staff in (("inspector", "khac@so.vn"), ("inspector", None), ("agency", None)):
        with pytest.raises(Forbidden) as e:
            sites.issue_link_code(TRA, None, role, None, 2, staff)
        assert (e.value.field, e.value.rule) == ("staff", "own"), (role, staff)
    with pytest.raises(Forbidden):  # a pseudonymous inspector (no staff account) issues nothing
        sites.issue_link_code(Actor("tg-insp", "inspector"), None, "inspector", None, 2, "tg-insp")
    assert sites.log_head() == head
    own = sites.issue_link_code(TRA, None, "inspector", None, 2, "tra@so.vn")
    assert sites.redeem_link_code(Actor("tg-1", "resident"), None, own["code"], "tg-link-1")["staff"] == "tra@so.vn"


def test_a_staff_binding_only_on_an_inspectors_code_and_only_an_email(sites):
    with pytest.raises(InvalidInput) as e:
        sites.issue_link_code(ADMIN, None, "agency", None, 2, "tra@so.vn")
    assert e.value.field == "staff"
    for bad in ({"role": "business", "staff": "tra@so.vn"}, {"role": "inspector", "staff": "không phải email"},
                {"role": "inspector", "staff": "a@b"}, {"role": "inspector", "staff": "x" * 300 + "@so.vn"},
                {"role": "inspector", "staff": "tra@so.vn\nBcc: x@y.vn"}):
        with pytest.raises(ValidationError):
            c.IssueLinkCode(command_id="cmd-12345678", **bad)
    assert c.IssueLinkCode(command_id="cmd-12345678", role="inspector", staff=" Tra@So.VN ").staff == "tra@so.vn"
    plain = sites.issue_link_code(ADMIN, None, "inspector", None, 2)
    assert sites.redeem_link_code(Actor("tg-2", "resident"), None, plain["code"], "tg-link-2")["staff"] is None


def test_a_code_stored_before_the_binding_replays_with_none(sites):
    code_id = uuid.uuid4()
    state = {"timestamp": datetime.now(timezone.utc), "originator_topic": "services.sites.linkcodes:LinkCode",
             "role": "inspector", "establishment_id": None, "expires_at": datetime.now(timezone.utc) + timedelta(hours=2),
             "actor": ADMIN.to_dict(), "legacy": False, "class_version": 2}
    sites.recorder.insert_events([StoredEvent(originator_id=code_id, originator_version=1,
                                              topic="services.sites.linkcodes:LinkCode.Issued",
                                              state=sites.mapper.transcoder.encode(state))])
    old = sites.repository.get(code_id)
    assert old.staff is None and old.role == "inspector" and old.legacy is False

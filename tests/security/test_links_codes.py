"""Issue 13, finding 3 — link codes — at the application, on SQLite and PostgreSQL: codes of at
least 80 bits, still typeable; looked up by a keyed hash only; old stored codes (v1 events, whose
id was derived from the code and published) replay, stay off the stream and cannot be redeemed."""
import hashlib
import math
import os
import stat
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from eventsourcing.persistence import StoredEvent

from services.sites.application import SitesApplication
from shared.contracts import sites as c
from shared.kit.actor import Actor
from shared.kit.errors import Forbidden, NotFound
from shared.kit.public import PublicMapper
from shared.kit.store import app_for
from tests.ports import sites_ports

ADMIN = Actor("admin-1", "admin")
RESIDENT = Actor("tg-1", "resident")
CROCKFORD = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
OLD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://langxanh.vn/sites")


@pytest.fixture
def sites(settings):
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    yield app
    app.close()


def test_a_code_has_at_least_80_bits_and_is_typed_in_any_case_with_or_without_dashes(sites):
    codes = [sites.issue_link_code(ADMIN, None, "inspector", None, 1)["code"] for _ in range(30)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        symbols = code.replace("-", "")
        assert set(symbols) <= CROCKFORD
        assert len(symbols) * math.log2(len(CROCKFORD)) >= 80
    for typed in (codes[0].lower(), codes[1].replace("-", ""), " " + codes[2].replace("-", " ") + " "):
        assert c.RedeemLinkCode(code=typed, account="tg:x")  # the contract takes it as typed
        assert sites.redeem_link_code(RESIDENT, None, c.RedeemLinkCode(code=typed, account="a").code, "a")["role"] == "inspector"


def test_the_lookup_needs_the_service_key_and_the_key_file_is_private(settings):
    from services.sites.link_commands import LinkPolicy

    policy = LinkPolicy.from_settings(settings)
    path = settings.data_dir / "sites" / "link-code.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert LinkPolicy.from_settings(settings).key == policy.key  # made once, then read
    other = LinkPolicy(key=b"another service's key, 32 bytes+")
    assert policy.lookup("AAAA-BBBB-CCCC-DDDD") != other.lookup("AAAA-BBBB-CCCC-DDDD")
    assert policy.lookup("aaaa bbbb cccc dddd") == policy.lookup("AAAABBBBCCCCDDDD")


def v1_link_code(app, code: str, expires_at: datetime) -> uuid.UUID:
    """Store a link code as the code before issue 13 did: LinkCode.Issued v1 with sha256(code) and
    an id derived from it."""
    code_hash = hashlib.sha256(code.encode()).hexdigest()
    old_id = uuid.uuid5(OLD_NAMESPACE, f"link-code:{code_hash}")
    state = {"timestamp": datetime.now(timezone.utc), "originator_topic": "services.sites.domainmodel:LinkCode",
             "code_hash": code_hash, "role": "business", "establishment_id": None, "expires_at": expires_at,
             "actor": ADMIN.to_dict()}
    app.recorder.insert_events([StoredEvent(originator_id=old_id, originator_version=1,
                                            topic="services.sites.domainmodel:LinkCode.Issued",
                                            state=app.mapper.transcoder.encode(state))])
    return old_id


def test_old_link_code_events_replay_stay_private_and_cannot_be_redeemed(sites):
    before = sites.register_site(ADMIN, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam")
    old_id = v1_link_code(sites, "ABCDEFGHJK", datetime.now(timezone.utc) + timedelta(hours=72))
    after = sites.register_site(ADMIN, None, kind="craft_village", name="Vạn Phúc", old_district="ha-dong")

    old = sites.repository.get(old_id)  # the v1 event upcast: it loads, marked legacy
    assert old.legacy is True and old.role == "business" and not hasattr(old, "code_hash")
    with pytest.raises(Forbidden) as e:
        old.check_redeemable(datetime.now(timezone.utc))
    assert e.value.rule == "reissue"
    with pytest.raises(NotFound):  # nor can it be found by its code any more
        sites.redeem_link_code(RESIDENT, None, "ABCDEFGHJK", "tg:old")

    mapper = PublicMapper("sites", sites, c.PUBLIC_EVENTS, place=sites.place_of)
    events = mapper.events_since(0, 100)
    assert [e["subject"] for e in events] == [before["id"], after["id"]]
    assert str(old_id) not in str(events)
    assert mapper.events_since(int(events[0]["sequence"]), 1) == [events[1]]  # the page skips the hole

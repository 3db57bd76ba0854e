"""The public vocabulary in one place (shared/contracts/registry.py): every public event class is
registered under its type, the type string is built and parsed there only, and the envelope
(shared/kit/envelope.py) round-trips a contract instance through the cloudevents SDK."""
from datetime import datetime, timezone
from uuid import uuid4

import pytest
from hypothesis import given, strategies as st

from shared import asyncapi
from shared.contracts import registry
from shared.contracts.inspections import IncidentReported
from shared.contracts.sites import SiteRegistered
from shared.kit.envelope import BadEnvelope, UnknownEvent, build, check_envelope, decode


def test_every_public_event_class_is_registered_under_its_type():
    published = {c for cs in asyncapi.public_events().values() for c in cs}
    assert set(registry.EVENTS.values()) == published
    assert set(registry.all_public_event_classes()) == published  # no contract class left out of PUBLIC_EVENTS
    for type_string, contract in registry.EVENTS.items():
        assert registry.type_of(contract) == type_string
        assert registry.contract_of(type_string) is contract


def test_type_of_and_parse_type():
    assert registry.type_of(IncidentReported) == "vn.langxanh.inspections.incident_reported.v1"
    assert registry.routing_key_of(IncidentReported) == "inspections.incident_reported"
    assert registry.parse_type("vn.langxanh.inspections.incident_rejected.v2") == ("inspections", "incident_rejected", 2)
    assert registry.event_name("vn.langxanh.sites.site_registered.v1") == "site_registered"


@pytest.mark.parametrize("bad", ["", "vn.langxanh.sites", "vn.langxanh.sites.site_registered", "x.y.sites.a.v1",
                                 "vn.langxanh.Sites.site_registered.v1", "vn.langxanh.sites.site_registered.v0",
                                 "vn.langxanh.sites.site registered.v1", "vn.langxanh.sites.a.v1\n", None, 12,
                                 "vn.langxanh.sites." + "a" * 10_000 + ".v1"])
def test_parse_type_refuses_what_is_not_a_public_type(bad):
    with pytest.raises(ValueError):
        registry.parse_type(bad)
    assert registry.event_name(bad) == ""
    assert registry.contract_of(bad) is None


@given(st.text(max_size=80))
def test_parse_type_never_fails_otherwise(text):
    try:
        parts = registry.parse_type(text)
    except ValueError:
        return
    assert str(parts) == text


def _registered(**extra):
    site = SiteRegistered(id=uuid4(), kind="craft_village", name="Làng Bát Tràng", commune="00001", **extra)
    moment = datetime(2026, 3, 1, 2, 3, 4, 567000, tzinfo=timezone.utc)
    return site, build("sites", 42, site, subject=str(site.id), time=moment, commune="00001")


def test_the_envelope_round_trips_a_contract_instance():
    site, envelope = _registered()
    assert list(envelope) == ["specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                              "sequence", "communecode", "data"]
    assert envelope["time"] == "2026-03-01T02:03:04.567000Z"
    assert envelope["sequence"] == "00000000000000000042" and envelope["id"] == "sites-42"
    assert check_envelope(envelope, "sites") is envelope
    got = decode(envelope)
    assert got.event == site and type(got.event) is SiteRegistered
    assert (got.subject, got.sequence, got.commune, got.type.routing_key) == (str(site.id), 42, "00001",
                                                                              "sites.site_registered")


def test_build_refuses_another_service_s_event():
    site, _ = _registered()
    with pytest.raises(LookupError):
        build("inspections", 1, site, subject=str(site.id), time=datetime.now(timezone.utc))


def test_decode_tells_unknown_from_malformed():
    _, envelope = _registered()
    with pytest.raises(UnknownEvent) as unknown:
        decode(dict(envelope, type="vn.langxanh.sites.site_teleported.v1"))
    assert unknown.value.event_type == "vn.langxanh.sites.site_teleported.v1"
    with pytest.raises(UnknownEvent):
        decode(dict(envelope, data={"id": "nope"}))
    with pytest.raises(BadEnvelope):
        decode(dict(envelope, specversion="0.3"))
    with pytest.raises(BadEnvelope):
        decode(dict(envelope, time="yesterday"))
    with pytest.raises(BadEnvelope):
        check_envelope(dict(envelope, type="vn.langxanh.inspections.incident_reported.v1"), "sites")

"""Issue 18, P3: `build` makes the structured CloudEvent without the SDK's validation of attributes
valid by construction, and `decode` reads an envelope built in this process without validating it
again. The wire stays byte for byte what the SDK made, and decoding what this process built gives
what decoding it off the wire gives."""
import json

from shared.kit.envelope import Built, build, build_with_sdk, decode, from_structured
from shared.kit.public import PublicMapper
from tests.history import popo_history


def test_built_envelopes_are_byte_for_byte_the_sdks_and_decode_alike():
    history = popo_history()
    history.generate(villages=30, clusters=6, manifests=60, incidents=40)
    seen = 0
    for service, mapper in history.mappers.items():
        assert isinstance(mapper, PublicMapper)
        for n in mapper.app.select_notifications(0, 10**6):
            if not mapper.publishes(n):
                continue
            domain_event, place = mapper.read(n)
            public = mapper.contract_for(n.topic, domain_event).from_domain(domain_event)
            args = (service, n.id, public, str(n.originator_id), domain_event.timestamp, place)
            fast, sdk = build(*args), build_with_sdk(*args)
            assert isinstance(fast, Built) and not isinstance(sdk, Built)
            wire = json.dumps(fast, ensure_ascii=False)
            assert wire == json.dumps(sdk, ensure_ascii=False)  # the same keys in the same order
            from_structured(fast)  # what the SDK accepts
            assert decode(fast) == decode(json.loads(wire))
            seen += 1
    assert seen > 500


def _one_built() -> tuple[Built, object]:
    history = popo_history()
    history.generate(villages=2, clusters=1, manifests=1, incidents=1)
    mapper = history.mappers["sites"]
    n = next(n for n in mapper.app.select_notifications(0, 100) if mapper.publishes(n))
    domain_event, place = mapper.read(n)
    public = mapper.contract_for(n.topic, domain_event).from_domain(domain_event)
    return build("sites", n.id, public, str(n.originator_id), domain_event.timestamp, place), public


def test_an_untouched_built_envelope_gives_back_its_own_instance_without_validating_again(monkeypatch):
    built, public = _one_built()
    calls = []
    contract = type(public)
    monkeypatch.setattr(contract, "model_validate", classmethod(lambda cls, d: calls.append(d)))
    assert decode(built).event is public and calls == []
    assert built.instance() is public


def test_a_built_envelope_whose_data_or_type_was_replaced_is_validated_as_from_the_wire():
    built, public = _one_built()
    built["data"] = dict(built["data"], name="Làng khác")
    got = decode(built)
    assert got.event is not public and got.event.name == "Làng khác"
    built2, _ = _one_built()
    built2["type"] = "vn.langxanh.sites.no_such_event.v1"
    try:
        decode(built2)
    except Exception as e:  # noqa: BLE001
        assert type(e).__name__ == "UnknownEvent"
    else:
        raise AssertionError("a replaced type was decoded as the old contract")
    assert dict(built) == json.loads(json.dumps(built)) and not isinstance(dict(built), Built)

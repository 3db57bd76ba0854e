"""The public contracts of sites: complete, round-tripping, valid CloudEvents, no personal data."""
import json
import typing
from datetime import date

import pytest
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from services.sites import domainmodel as dm
from services.sites.application import SitesApplication
from shared.contracts import sites as c
from shared.kit.actor import Actor
from shared.kit.public import PublicMapper
from shared.kit.store import popo_env
from tests.ports import sites_ports

AGENCY = Actor("officer-1", "agency")
ADMIN = Actor("admin-1", "admin")


@pytest.mark.parametrize("literal, enum", [
    (c.SiteKind, dm.SiteKind), (c.TradeGroup, dm.TradeGroup), (c.WwtpStatus, dm.WwtpStatus),
    (c.PollutionLevel, dm.PollutionLevel), (c.ConditionItem, dm.ConditionItem),
    (c.ConditionState, dm.ConditionState), (c.EstablishmentForm, dm.EstablishmentForm),
    (c.PermitType, dm.PermitType), (c.LinkRole, dm.LinkRole),
])
def test_contract_vocabularies_equal_the_domain_ones(literal, enum):
    assert set(typing.get_args(literal)) == {e.value for e in enum}


PUBLIC_AGGREGATES = tuple(a for a in dm.AGGREGATES if a.__name__ not in dm.PRIVATE_AGGREGATES)


def domain_event_names(aggregates=PUBLIC_AGGREGATES):
    for aggregate in aggregates:
        for name, obj in vars(aggregate).items():
            if isinstance(obj, type) and issubclass(obj, aggregate.Event) and name not in ("Event", "Created"):
                yield f"{aggregate.__name__}.{name}"


def test_every_domain_event_has_exactly_one_public_contract():
    published = [contract.source_event for contract in c.PUBLIC_EVENTS]
    assert len(published) == len(set(published))
    assert sorted(domain_event_names()) == sorted(published)
    private = {a.__name__ for a in dm.AGGREGATES} & set(dm.PRIVATE_AGGREGATES)
    assert private == {"LinkCode", "LinkCodeIndex", "RedeemGuard"}  # link codes publish nothing (issue 13)
    assert not [p for p in published if p.split(".")[0] in private]
    assert len({contract.event for contract in c.PUBLIC_EVENTS}) == len(c.PUBLIC_EVENTS)


@pytest.fixture
def story():
    """Every kind of domain event, produced by the real application."""
    app = SitesApplication(env=popo_env(), ports=sites_ports())
    site = app.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam",
                             old_commune="Bát Tràng", location={"lat": 20.97, "lon": 105.91}, trade_group="handicraft")
    sid = site["id"]
    app.amend_site(AGENCY, None, sid, {"households": 1200})
    app.recognise_site(AGENCY, None, sid, "QĐ 1/QĐ-UBND", date(2010, 1, 1), "NĐ 52/2018")
    app.classify_site(AGENCY, None, sid, date(2024, 1, 1), "polluted", "not_polluted", "not_polluted", 2, "Sở", "QĐ 2546")
    app.set_condition(AGENCY, None, sid, "drainage", "in_progress", date(2025, 1, 1), "Điều 56")
    app.set_wwtp(AGENCY, None, sid, "idle", 400, False)
    app.record_reform(AGENCY, None, [{"site_id": sid, "commune": "xa-bat-trang"}])
    household = app.register_establishment(AGENCY, None, site_id=sid, name="Hộ Nguyễn Văn A", form="household",
                                           registration_code="HKD-001", trades=["gốm"])
    firm = app.register_establishment(AGENCY, None, site_id=sid, name="Công ty X", form="enterprise",
                                      registration_code="0101", trades=["gốm"], hw_generator=True)
    app.amend_establishment(AGENCY, None, firm["id"], {"name": "Công ty X mới"})
    code = app.issue_link_code(AGENCY, None, "business", firm["id"], 24)
    app.redeem_link_code(Actor("tg-123", "resident"), None, code["code"], "telegram:123")
    app.app_code = code["code"]
    other = app.register_site(AGENCY, None, kind="industrial_cluster", name="CCN X", old_district="thach-that")
    app.deactivate_site(AGENCY, None, other["id"], "duplicate record")
    faded = app.register_site(AGENCY, None, kind="craft_village", name="Lam Điền", old_district="chuong-my")["id"]
    app.recognise_site(AGENCY, None, faded, None, None, "NĐ 52/2018")
    app.withdraw_recognition(AGENCY, None, faded, "2546/QĐ-UBND", date(2023, 4, 28), "QĐ 2546/QĐ-UBND", "mai một")
    app.register_establishment(AGENCY, None, site_id=sid, name="Hộ B", form="household", registration_code="HKD-2", trades=[])
    app.amend_establishment(AGENCY, None, household["id"], {"trades": ["gốm", "men"]})
    est = app.repository.get(app.repository.get(household["id"]).id)
    est.deactivate(reason="closed", actor=AGENCY.to_dict())
    app.save(est)
    return app


def test_every_event_round_trips_and_parses_with_the_official_cloudevents_sdk(story):
    mapper = PublicMapper("sites", story, c.PUBLIC_EVENTS, place=story.place_of)
    events = mapper.events_since(0, 1000)
    assert {e["type"].split(".")[3] for e in events} == {contract.event for contract in c.PUBLIC_EVENTS}
    by_name = {contract.event: contract for contract in c.PUBLIC_EVENTS}
    previous = 0
    for event in events:
        parsed = JSONFormat().read(CloudEvent, json.dumps(event).encode())
        attrs = parsed.get_attributes()
        n = int(attrs["sequence"])  # increasing, with holes where the link codes' private events are
        assert n > previous and attrs["sequence"] == event["sequence"]
        previous = n
        assert attrs["id"] == f"sites-{n}" and attrs["source"] == "/langxanh/sites"
        contract = by_name[attrs["type"].split(".")[3]]
        assert attrs["type"] == f"vn.langxanh.sites.{contract.event}.v{contract.version}"  # v2: no free text
        assert contract.model_validate(parsed.get_data()).model_dump(mode="json") == event["data"]
        assert attrs["subject"] == event["data"].get("id")
    # the commune code follows the reform: old district before it, new commune after it
    places = [e.get("communecode") for e in events]
    assert places[0] == "gia-lam" and "xa-bat-trang" in places


def test_public_events_carry_no_personal_data_and_no_secret(story):
    mapper = PublicMapper("sites", story, c.PUBLIC_EVENTS, place=story.place_of)
    text = json.dumps(mapper.events_since(0, 1000), ensure_ascii=False)
    assert "Nguyễn Văn A" not in text and "HKD-001" not in text  # household = individual
    assert "telegram:123" not in text and "tg-123" not in text     # who redeemed
    assert story.app_code not in text                               # the link code itself
    assert "officer-1" not in text                                   # staff ids stay private
    assert "Công ty X" in text                                       # enterprises are public


def test_rpc_contracts_refuse_unknown_fields_and_oversized_text():
    with pytest.raises(Exception) as e:
        c.RegisterSite(kind="craft_village", name="x" * 10_000_000, old_district="gia-lam")
    assert "at most 200" in str(e.value)
    with pytest.raises(Exception):
        c.RegisterSite(kind="craft_village", name="x", old_district="gia-lam", is_admin=True)
    assert c.RedeemLinkCode(code=" abcdefgh ", account="tg:1").code == "ABCDEFGH"


def test_establishment_search_needs_the_role_and_caps_the_limit():
    roles = typing.get_args(c.SearchEstablishments.model_fields["role"].annotation)
    assert set(roles) == {dm.LinkRole.TRANSPORTER.value, dm.LinkRole.TREATMENT_FACILITY.value}
    assert c.SearchEstablishments(query=" Hòa Bình ", role="transporter").model_dump() == \
        {"query": "Hòa Bình", "role": "transporter", "limit": 10}
    for bad in ({"query": "x"}, {"query": "x", "role": "business"}, {"query": "x", "role": "transporter", "limit": 51},
                {"query": "x", "role": "transporter", "limit": 0}):
        with pytest.raises(ValueError):
            c.SearchEstablishments(**bad)

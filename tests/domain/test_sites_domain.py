"""Stories of the sites domain model, no store at all."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.sites.domainmodel import (
    Establishment, LinkCode, LinkCodeRejected, Site, SiteInactive, SiteKind, WrongSiteKind, coarse, site_id_for,
)
from shared.kit.errors import InvalidInput

ACTOR = {"id": "officer-1", "role": "agency"}


def village(**kw):
    fields = dict(kind="craft_village", name="Bát Tràng", trade="gốm sứ", trade_group=None, craft_village_cluster=False,
                  old_district="gia-lam", old_commune="Bát Tràng", commune=None, location=None, households=None,
                  area_ha=None, reference_key=None, source=None, confidence=None, actor=ACTOR)
    fields.update(kw)
    return Site(**fields)


def test_a_site_is_in_its_old_district_before_the_reform_and_its_new_commune_after():
    site = village()
    site.change_jurisdiction(commune="xa-bat-trang", effective="2025-07-01", legal_basis="NQ 1656", actor=ACTOR)
    before = site.jurisdiction_on(date(2025, 6, 30))
    after = site.jurisdiction_on(date(2025, 7, 1))
    assert (before["old_district"], before["old_commune"], before["commune"]) == ("gia-lam", "Bát Tràng", None)
    assert after["commune"] == "xa-bat-trang"
    assert site.place_code == "xa-bat-trang"
    assert [type(e).__name__ for e in site.collect_events()] == ["Registered", "JurisdictionChanged"]


def test_a_site_registered_with_its_new_commune_gets_it_from_the_reform_date():
    site = village(commune="xa-bat-trang")
    assert site.jurisdiction_on(date(2024, 1, 1))["commune"] is None
    assert site.jurisdiction_on(date(2026, 1, 1))["commune"] == "xa-bat-trang"


def test_a_site_needs_a_district_or_a_commune_and_only_clusters_are_craft_village_clusters():
    with pytest.raises(InvalidInput) as e:
        Site.check_registration("craft_village", None, None, False)
    assert e.value.field == "commune"
    with pytest.raises(WrongSiteKind):
        Site.check_registration("craft_village", "gia-lam", None, True)
    Site.check_registration("industrial_cluster", "gia-lam", None, True)


def test_only_craft_villages_are_classified_and_a_deactivated_site_refuses_changes():
    zone = village(kind="industrial_zone", name="Thăng Long")
    with pytest.raises(WrongSiteKind) as e:
        zone.check_kind("classification", SiteKind.CRAFT_VILLAGE)
    assert e.value.field == "classification"
    village().check_kind("classification", SiteKind.CRAFT_VILLAGE)
    site = village()
    site.deactivate(reason="merged", actor=ACTOR)
    with pytest.raises(SiteInactive):
        site.check_active()


def test_classifications_are_kept_in_date_order_latest_last():
    site = village()
    site.classify(classified_on="2024-05-01", water="polluted", air="not_polluted", soil="not_polluted",
                  hanoi_list=2, assessor="Sở NN&MT", legal_basis="QĐ 2546", actor=ACTOR)
    site.classify(classified_on="2022-05-01", water="severe", air="polluted", soil="not_polluted",
                  hanoi_list=1, assessor="Sở TN&MT", legal_basis="TT 31/2016", actor=ACTOR)
    assert [c["date"] for c in site.classifications] == ["2022-05-01", "2024-05-01"]


def test_reference_sites_have_stable_ids_and_locations_are_coarsened():
    assert village(reference_key="lang-nghe-bat-trang").id == site_id_for("lang-nghe-bat-trang")
    assert village().id != village().id
    assert coarse({"lat": 20.976543, "lon": 105.912345}) == {"lat": 20.98, "lon": 105.91}


def test_a_transporter_needs_a_licence_with_well_formed_waste_codes():
    with pytest.raises(InvalidInput) as e:
        Establishment.check_licence(True, False, None)
    assert e.value.field == "licence"
    with pytest.raises(InvalidInput) as e:
        Establishment.check_licence(False, True, {"number": "1-2-3", "waste_codes": ["160106"]})
    assert e.value.rule == "format"
    Establishment.check_licence(False, True, {"number": "1-2-3", "waste_codes": ["16 01 06"]})


def test_a_link_code_is_redeemed_once_and_not_after_it_expires():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    code = LinkCode(role="business", establishment_id=None, expires_at=now + timedelta(hours=1), actor=ACTOR)
    code.check_redeemable(now)
    code.redeem(account="tg:pseudonym", redeemed_at=now, actor=ACTOR)
    with pytest.raises(LinkCodeRejected) as e:
        code.check_redeemable(now)
    assert e.value.rule == "once"
    late = LinkCode(role="agency", establishment_id=None, expires_at=now, actor=ACTOR)
    with pytest.raises(LinkCodeRejected) as e:
        late.check_redeemable(now)
    assert e.value.rule == "expired"

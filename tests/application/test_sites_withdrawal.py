"""A craft village's recognition withdrawn (QĐ 2546/QĐ-UBND, issue 16) on POPO, SQLite and PostgreSQL."""
from datetime import date

import pytest

from shared.kit.actor import Actor
from shared.kit.errors import Conflict, Forbidden, InvalidInput
from services.sites.domainmodel import SiteInactive

AGENCY = Actor("officer-1", "agency")
INSPECTOR = Actor("inspector-1", "inspector")
BASIS = "QĐ 2546/QĐ-UBND (28/04/2023)"


def village(app, name="Lam Điền", recognised_on=date(2010, 1, 1)):
    site = app.register_site(AGENCY, None, kind="craft_village", name=name, old_district="chuong-my")
    if recognised_on is not False:
        app.recognise_site(AGENCY, None, site["id"], None, recognised_on, "NĐ 52/2018")
    return site["id"]


def test_the_agency_withdraws_a_recognition_with_its_decision_and_date(sites):
    sid = village(sites)
    answer = sites.withdraw_recognition(AGENCY, "w-1", sid, "2546/QĐ-UBND", date(2023, 4, 28), BASIS, "làng nghề mai một")
    doc = sites.get_site(sid)
    assert doc["recognition_withdrawn"] == {"decision": "2546/QĐ-UBND", "effective": "2023-04-28",
                                            "legal_basis": BASIS, "reason": "làng nghề mai một"}
    assert doc["recognition"]["date"] == "2010-01-01"  # the recognition itself stays on record
    assert sites.withdraw_recognition(AGENCY, "w-1", sid, "2546/QĐ-UBND", date(2023, 4, 28), BASIS) == answer  # retry


def test_a_withdrawal_is_refused_twice_before_recognition_and_to_others(sites):
    sid = village(sites)
    with pytest.raises(Forbidden):
        sites.withdraw_recognition(INSPECTOR, None, sid, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)
    with pytest.raises(InvalidInput) as before:
        sites.withdraw_recognition(AGENCY, None, sid, "2546/QĐ-UBND", date(2009, 12, 31), BASIS)
    assert before.value.rule == "after_recognition"
    sites.withdraw_recognition(AGENCY, None, sid, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)
    with pytest.raises(Conflict) as twice:
        sites.withdraw_recognition(AGENCY, None, sid, "9999/QĐ-UBND", date(2024, 1, 1), BASIS)
    assert twice.value.rule == "withdrawn"
    unrecognised = village(sites, "Chưa công nhận", recognised_on=False)
    with pytest.raises(InvalidInput) as never:
        sites.withdraw_recognition(AGENCY, None, unrecognised, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)
    assert never.value.rule == "recognised"
    zone = sites.register_site(AGENCY, None, kind="industrial_zone", name="KCN", old_district="dong-anh")["id"]
    with pytest.raises(InvalidInput):
        sites.withdraw_recognition(AGENCY, None, zone, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)
    sites.deactivate_site(AGENCY, None, unrecognised, "trùng")
    with pytest.raises(SiteInactive):
        sites.withdraw_recognition(AGENCY, None, unrecognised, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)


def test_recognised_again_after_a_withdrawal_clears_it(sites):
    sid = village(sites)
    sites.withdraw_recognition(AGENCY, None, sid, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)
    sites.recognise_site(AGENCY, None, sid, "100/QĐ-UBND", date(2025, 3, 1), "NĐ 52/2018")
    assert sites.get_site(sid)["recognition_withdrawn"] is None


def test_the_public_sees_the_decision_and_date_but_not_the_reason(sites):
    sid = village(sites)
    sites.withdraw_recognition(AGENCY, None, sid, "2546/QĐ-UBND", date(2023, 4, 28), BASIS, "lời cán bộ")
    public = sites.get_site(sid, staff=False)
    assert public["recognition_withdrawn"]["decision"] == "2546/QĐ-UBND"
    assert "lời cán bộ" not in str(public)

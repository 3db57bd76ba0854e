"""Inspections in the browser: an unannounced inspection opened from a resident's report, a
wastewater sample over its limit evaluated on the spot and recorded, then a violation: a fine
outside the Decree 45 band is refused with the band in words and nothing is recorded; a fine
inside it is recorded."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

from shared.kit.calendar import local_date
from shared.kit.errors import NotFound
from tests.staff.accounts import staff_member
from tests.staff.forms import fill_and_send
from tests.staff.world import AGENCY, file_report, village

UNIT = "Đội thanh tra số 3"


def enterprise_at(system, site: dict) -> dict:  # type: ignore[no-untyped-def]
    """A firm registered at the site, once the inspections service has learnt of it."""
    firm = system.call_sync(AGENCY, "sites", "register_establishment", site_id=site["id"], form="enterprise",
                            name=f"Công ty Gốm {uuid.uuid4().hex[:4]}", registration_code=f"01{uuid.uuid4().int % 10**8}")
    deadline = time.monotonic() + 30
    while True:  # inspections follows the sites stream (a pure query: NotFound until it knows the firm)
        try:
            system.call_sync(AGENCY, "inspections", "evaluate_samples", on=today(), establishment_id=firm["id"])
            return firm
        except NotFound:
            assert time.monotonic() < deadline, "inspections never learnt of the establishment"
            time.sleep(0.3)


def today() -> str:
    return local_date(datetime.now(timezone.utc)).isoformat()


def violations_of(system, firm: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    found = system.call_sync(AGENCY, "inspections", "list_violations", establishment_id=firm["id"])
    return found["violations"] if isinstance(found, dict) else found


def test_a_sample_over_the_limit_leads_to_a_violation_and_a_fine_outside_the_band_is_refused(story):
    system = story.system
    site = village(system, "Bát Tràng")
    firm = enterprise_at(system, site)
    report = file_report(system, site, "Nước thải màu đục xả ra kênh Bắc Hưng Hải")
    on = today()

    staff_member(story, "agency")
    field = story.other("inspector")
    inspector = staff_member(field, "inspector", unit=UNIT)

    # the agency opens an unannounced inspection from the report, at the firm, for the inspector
    story.goto(f"/staff/inspections/unannounced?incident_id={report['id']}", "unannounced")
    form = story.page.locator("#unannounced-form")
    assert form.locator(f'input[name="incident_ids"][value="{report["id"]}"]').is_checked()
    form.locator('[name="scheduled_for"]').fill(on)
    form.locator('[name="establishment_id"]').fill(firm["id"])
    form.locator('[name="unit"]').fill(UNIT)
    form.locator('[name="inspector"]').fill(inspector.email)
    story.submit(form.locator("#unannounced-submit"), "scheduled")
    inspection_url = story.page.url
    assert "/staff/inspections/" in inspection_url and \
        story.page.locator("#inspection-state").get_attribute("data-state") == "scheduled"

    # the inspector samples COD at twice the limit: evaluated on the spot, then the inspection is saved
    page = field.page
    field.goto(inspection_url, "to-conduct")
    conduct = page.locator("#conduct-form")
    conduct.locator('[name="conducted_on"]').fill(on)
    conduct.locator('[name="team"]').fill(f"{inspector.email}\nNguyễn Văn Hùng")
    conduct.locator('[name="findings"]').fill("Lấy mẫu nước thải tại cửa xả của xưởng men")
    for name, value in (("parameter", "COD"), ("value", "300"), ("unit", "mg/L")):
        page.locator(f"#sample-0-{name}").fill(value)
    page.locator("#evaluate-samples").click()
    over = page.locator('#evaluation tr.sample[data-parameter="COD"]')
    over.wait_for()
    field.snap("evaluated-over-the-limit")
    assert over.get_attribute("data-exceeds") == "yes" and over.locator("td.factor").inner_text().startswith("2")
    note = page.locator("#evaluation-note")  # which table and why (issue 16)
    assert note.get_attribute("data-reason") in ("before_successor", "transition", "transition_assumed")
    assert "QCVN 40:2011/BTNMT" in note.inner_text()
    field.submit(page.locator("#conduct-submit"), "conducted")
    assert page.locator("#inspection-state").get_attribute("data-state") == "conducted"
    assert page.locator('#samples-result tr.sample[data-parameter="COD"]').get_attribute("data-exceeds") == "yes"

    # a fine below the band for an organisation: refused next to the field, nothing recorded
    refused = fill_and_send(field, "#record-violation", {
        "catalogue_code": "ND45-A15-2", "offender_type": "organisation", "fine_vnd": "1.000.000",
        "description": "Xả nước thải vượt quy chuẩn kỹ thuật (COD gấp 2 lần)"}, "fine-outside-the-band-refused")
    assert refused.status == 400
    said = page.locator("#err-fine_vnd").inner_text()
    assert "ngoài khung" in said and "3.000.000" in said and "4.000.000" in said, said
    assert page.locator("#f-fine_vnd").get_attribute("aria-invalid") == "true"
    assert violations_of(system, firm) == []

    # inside the band: recorded
    fill_and_send(field, "#record-violation", {"fine_vnd": "3.500.000"}, "violation-recorded")
    recorded = page.locator('article.violation[data-state="recorded"]')
    assert recorded.count() == 1 and recorded.locator("dd.fine").inner_text().startswith("3.500.000")
    [violation] = violations_of(system, firm)
    assert violation["fine_vnd"] == 3_500_000 and violation["offender_type"] == "organisation"

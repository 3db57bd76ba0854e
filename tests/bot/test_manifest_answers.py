"""The manifests service's answers the bot reads are contract models (shared/contracts/manifests_answers.py):
the real answers validate, and a day a party reads is Hanoi's, dd/mm/yyyy."""
from __future__ import annotations

from uuid import uuid4

from bot.flows.manifest.card import extras
from bot.flows.manifest.treat import received_on
from bot.texts import t
from shared.contracts.manifests_answers import BulkSigned, ManifestCard, ManifestRow, Rejected, Signed
from tests.bot.manifest_fixtures import parties  # noqa: F401  (the fixture)

AT_18_30_UTC = "2026-12-01T18:30:00+00:00"  # 01:30 on 2 December in Hanoi


def card(**over) -> ManifestCard:  # type: ignore[no-untyped-def]
    return ManifestCard.model_validate({"id": uuid4(), "version": 5, "number": "CT-1", "state": "treated",
                                        "generator_id": "g", "transporters": ["t"], "facility_1": "f", **over})


def test_a_receipt_and_copy_4_at_18_30_utc_read_the_next_day_in_hanoi() -> None:
    m = card(received={"facility": "facility1", "at": AT_18_30_UTC, "lines": []}, copy4_returned_at=AT_18_30_UTC,
             treatment={"method": "hoá rắn", "date": "2026-12-02"})
    assert received_on(m) == "2026-12-02"  # no treatment may precede the receipt's local day
    shown = extras("vi", m, {}, "generator")
    assert t("vi", "mf-show-copy4", date="02/12/2026") in shown
    assert t("vi", "mf-show-treated", method="hoá rắn", date="02/12/2026") in shown
    disc = card(state="received", discrepancy={"state": "open", "lines": [], "due": AT_18_30_UTC})
    assert t("vi", "mf-show-discrepancy", lines="", due="02/12/2026") in extras("vi", disc, {}, "generator")


def test_the_services_manifest_answers_validate_as_the_bots_models(parties) -> None:  # type: ignore[no-untyped-def]
    p = parties
    mid = p.file("CT-ANS-1", 12.5)
    [row] = [ManifestRow.model_validate(r) for r in p.mine() if r["id"] == mid]
    assert (row.number, row.state, row.party) == ("CT-ANS-1", "handed_over", "generator")
    signed = Signed.model_validate(p.manifests("transporter", "sign_pickup", manifest_id=mid))
    assert signed.state == "in_transit"
    p.manifests("facility", "receive", manifest_id=mid, measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 12.5}])
    m = ManifestCard.model_validate(p.manifests("generator", "get_manifest", manifest_id=mid))
    assert m.number == "CT-ANS-1" and m.state == "received" and m.received and m.received.at.tzinfo is not None
    assert m.planned_date and m.planned_date.isoformat() == "2025-01-01" and m.transporters == [p.ids["transporter"]]
    assert {s.party for s in m.signatures} == {"generator", "transporter1", "facility1"}


def test_the_answers_of_correct_receive_reject_and_bulk_sign_validate(parties) -> None:  # type: ignore[no-untyped-def]
    p = parties
    mid = p.file("CT-ANS-2", 10.0, 4.0)
    corrected = Signed.model_validate(p.manifests("generator", "correct", manifest_id=mid, reason="biển số ghi nhầm",
                                                  changes={"vehicle_plate": "30A-999.99"}, reason_code="vehicle_change"))
    assert corrected.manifest_version == 2
    p.manifests("generator", "sign_again", manifest_id=mid)
    bulk = BulkSigned.model_validate(p.manifests("transporter", "bulk_sign", manifest_ids=[mid, str(uuid4())],
                                                 step="pickup"))
    assert bulk.signed == 1 and [r.signed for r in bulk.results] == [True, False]
    assert bulk.results[1].error and bulk.results[1].error["kind"] == "not_found"
    received = Signed.model_validate(p.manifests("facility", "receive", manifest_id=mid, measured=[
        {"line": 1, "code": "16 01 06", "quantity_kg": 10.0}, {"line": 2, "code": "17 02 03", "quantity_kg": 4.0}]))
    assert received.state == "received"
    other = p.file("CT-ANS-3", 3.0, 2.0)
    p.manifests("transporter", "sign_pickup", manifest_id=other)
    rejected = Rejected.model_validate(p.manifests("facility", "reject", manifest_id=other, lines=[2], number="CT-ANS-3R",
                                                   reason="thùng rò rỉ", reason_code="packaging"))
    assert (rejected.full, rejected.to) == (False, "generator")

"""The manifest checks its own turn: a command out of turn is refused with OutOfTurn (or
NotYourSignature for a party's turn), codes and message as the bot knows them, and triggers nothing."""
from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from services.manifests.domainmodel import STEPS, Manifest, NotYourSignature, OutOfTurn
from shared.kit.errors import Conflict, InvalidInput

G = {"id": "g", "role": "business"}
T0 = datetime(2025, 11, 3, 2, 0, tzinfo=timezone.utc)
LINES = [{"line": 1, "code": "16 01 06", "name": "Bóng đèn", "state": "solid", "packaging": "thùng", "quantity_kg": 100.0,
          "method": "thiêu đốt"}]


def draft(transporters: int = 2) -> Manifest:
    m = Manifest(generator_id=uuid4(), number="CT-1", transporters=[uuid4() for _ in range(transporters)],
                 facility_1=uuid4(), facility_2=None, vehicle_plate="29C-1", lines=LINES, planned_date="2025-11-03",
                 linked_from=None, actor=G)
    m.collect_events()
    return m


def handed_over() -> Manifest:
    m = draft()
    m.sign_by_generator(at=T0, actor=G)
    m.collect_events()
    return m


REFUSED = [
    (draft, lambda m: m.sign_by_transporter(party="transporter1", at=T0, actor=G),
     "cannot sign at pickup manifest CT-1: it is draft (must be handed_over, in_transit)"),
    (draft, lambda m: m.receive(facility="facility1", measured=[], at=T0, discrepancy_days=15, actor=G),
     "cannot receive manifest CT-1: it is draft (must be in_transit)"),
    (draft, lambda m: m.reject(facility="facility1", lines=None, reason="x", at=T0, actor=G),
     "cannot reject manifest CT-1: it is draft (must be in_transit)"),
    (draft, lambda m: m.treat(method="x", treated_on=date(2025, 11, 3), today=date(2025, 11, 3), actor=G),
     "cannot record the treatment of manifest CT-1: it is draft (must be received)"),
    (draft, lambda m: m.return_copy4(at=T0, actor=G), "cannot receive copy 4 of manifest CT-1: it is draft (must be treated)"),
    (draft, lambda m: m.close(actor=G), "cannot close manifest CT-1: it is draft (must be copy4_returned)"),
    (handed_over, lambda m: m.sign_by_generator(at=T0, actor=G),
     "cannot sign at hand-over manifest CT-1: it is handed_over (must be draft)"),
    (handed_over, lambda m: m.cancel(reason="x", actor=G), "cannot cancel manifest CT-1: it is handed_over (must be draft)"),
]


@pytest.mark.parametrize("make, command, message", REFUSED, ids=[m for _, _, m in REFUSED])
def test_a_command_out_of_turn_is_refused_and_triggers_nothing(make, command, message):
    m = make()
    state, version = m.state, m.version
    with pytest.raises(OutOfTurn) as e:
        command(m)
    assert (str(e.value), e.value.kind, e.value.field, e.value.rule) == (message, "conflict", "state", "turn")
    assert m.collect_events() == [] and (m.state, m.version) == (state, version)


def test_a_cancelled_manifest_cannot_be_corrected():
    m = draft()
    m.cancel(reason="x", actor=G)
    m.collect_events()
    with pytest.raises(OutOfTurn):
        m.correct(changes={"vehicle_plate": "29C-2"}, reason="x", actor=G)
    assert m.collect_events() == [] and m.manifest_version == 1
    assert STEPS.actions_from(m.state) == []


def test_transporters_sign_in_turn_and_a_correction_must_be_signed_again_first():
    m = handed_over()
    with pytest.raises(NotYourSignature) as e:
        m.sign_by_transporter(party="transporter2", at=T0, actor=G)
    assert (e.value.rule, str(e.value)) == ("turn", "it is transporter 1's turn to sign manifest CT-1")
    m.sign_by_transporter(party="transporter1", at=T0, actor=G)
    with pytest.raises(NotYourSignature) as e:
        m.sign_by_transporter(party="transporter1", at=T0, actor=G)
    assert e.value.rule == "twice"
    with pytest.raises(NotYourSignature) as e:  # the waste is still with transporter 2
        m.receive(facility="facility1", measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 100.0}], at=T0,
                  discrepancy_days=15, actor=G)
    assert e.value.rule == "turn"
    m.correct(changes={"vehicle_plate": "29C-2"}, reason="đổi xe", actor=G)
    m.collect_events()
    with pytest.raises(OutOfTurn) as e:
        m.sign_by_transporter(party=None, at=T0, actor=G)
    assert e.value.rule == "resign" and m.collect_events() == []


def test_receipt_checks_the_lines_and_opens_a_discrepancy_the_sides_then_agree():
    m = draft(transporters=1)
    m.sign_by_generator(at=T0, actor=G)
    m.sign_by_transporter(party=None, at=T0, actor=G)
    m.collect_events()
    with pytest.raises(InvalidInput) as e:
        m.receive(facility="facility1", measured=[], at=T0, discrepancy_days=15, actor=G)
    assert e.value.rule == "every_line" and m.collect_events() == []
    m.receive(facility="facility1", measured=[{"line": 1, "code": "16 01 06", "quantity_kg": 130.0}], at=T0,
              discrepancy_days=15, actor=G)
    assert m.discrepancy["state"] == "open" and m.discrepancy["due"].startswith("2025-11-18")
    m.answer_discrepancy(side="generator", outcome="agreed", note="ok", actor=G)
    with pytest.raises(Conflict) as e:
        m.answer_discrepancy(side="generator", outcome="agreed", note="ok", actor=G)
    assert e.value.rule == "twice"
    m.answer_discrepancy(side="facility1", outcome="agreed", note="ok", actor=G)
    assert [type(e).__name__ for e in m.collect_events()] == ["Received", "DiscrepancyAccepted", "DiscrepancyAccepted",
                                                              "DiscrepancyResolved"]
    with pytest.raises(InvalidInput) as e:
        m.treat(method="x", treated_on=date(2025, 11, 4), today=date(2025, 11, 3), actor=G)
    assert e.value.rule == "not_future" and m.collect_events() == []

"""The inspections aggregates check their own state: a command from a wrong state is refused with
the domain's error (codes and message as the bot and staff pages know them) and triggers nothing;
a stored event replays whatever the rules say today (the checks are outside the @event methods)."""
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from services.inspections.domainmodel import INCIDENT_STEPS, Incident, Inspection, Violation, WrongState
from shared.kit.errors import InvalidInput

ACTOR = {"id": "staff:an@langxanh.vn", "role": "inspector"}
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def incident() -> Incident:
    i = Incident(category="wastewater", description="Nước thải đen", location=None, site_id=uuid4(), photos=["p1"],
                 reporter="tg:r", reported_at=T0, triage_due=T0 + timedelta(days=2), resolution_due=T0 + timedelta(days=15),
                 actor={"id": "tg:r", "role": "resident"})
    i.collect_events()
    return i


def inspection() -> Inspection:
    ins = Inspection(kind="unannounced", site_id=uuid4(), establishment_id=None, plan_year=None, plan_ref=None,
                     incident_ids=[uuid4()], scheduled_for="2026-03-09", actor=ACTOR)
    ins.collect_events()
    return ins


def violation() -> Violation:
    v = Violation(establishment_id=uuid4(), site_id=uuid4(), inspection_id=None, legal_basis={"code": "x"},
                  description="xả vượt", offender_type="organisation", fine_vnd=20_000_000, additional_sanctions=[],
                  remedial_measures=[{"measure": "Lắp đặt", "deadline": "2026-06-01"}], actor=ACTOR)
    v.collect_events()
    return v


REFUSED = [
    (incident, lambda i: i.assign(unit="Đội 1", inspector=None, due="2026-03-17", actor=ACTOR),
     "cannot assign an incident that is reported (must be triaged, reopened)"),
    (incident, lambda i: i.verify(finding="x", inspection_id=None, actor=ACTOR),
     "cannot verify an incident that is reported (must be assigned)"),
    (incident, lambda i: i.resolve(violation_id=None, note=None, resolved_at=T0, actor=ACTOR),
     "cannot resolve an incident that is reported (must be verified)"),
    (incident, lambda i: i.close(reason="x", actor=ACTOR), "cannot close an incident that is reported (must be resolved)"),
    (incident, lambda i: i.reopen(reason="x", photo="p2", actor=ACTOR, now=T0, window_days=30),
     "cannot reopen an incident that is reported (must be resolved)"),
    (inspection, lambda ins: ins.conclude(violation_ids=[], summary="x", actor=ACTOR),
     "cannot conclude an inspection that is scheduled (must be conducted)"),
    (violation, lambda v: v.submit_evidence(text="ảnh", files=[], actor=ACTOR),
     "cannot submit evidence for a violation that is recorded (must be sanction_decided)"),
    (violation, lambda v: v.close(note="đạt", actor=ACTOR),
     "cannot verify remediation of a violation that is recorded (must be evidence_submitted)"),
    (violation, lambda v: v.reject_evidence(reason="chưa", actor=ACTOR),
     "cannot verify remediation of a violation that is recorded (must be evidence_submitted)"),
]


@pytest.mark.parametrize("make, command, message", REFUSED, ids=[m for _, _, m in REFUSED])
def test_a_command_in_a_wrong_state_is_refused_and_triggers_nothing(make, command, message):
    agg = make()
    state, version = agg.state, agg.version
    with pytest.raises(WrongState) as e:
        command(agg)
    assert (str(e.value), e.value.kind, e.value.field, e.value.rule) == (message, "conflict", "state", "transition")
    assert agg.collect_events() == [] and (agg.state, agg.version) == (state, version)


def test_once_triaged_it_may_not_be_triaged_rejected_or_merged_again():
    i = incident()
    i.triage(site_id=None, category="dust", priority="high", actor=ACTOR)
    assert [type(e).__name__ for e in i.collect_events()] == ["Triaged"]
    for command in (lambda: i.triage(site_id=None, category="dust", priority="low", actor=ACTOR),
                    lambda: i.reject(reason="x", actor=ACTOR), lambda: i.merge_into(into=uuid4(), actor=ACTOR)):
        with pytest.raises(WrongState):
            command()
    assert i.collect_events() == [] and i.priority == "high"
    assert INCIDENT_STEPS.actions_from(i.state) == ["add_information", "assign"]


def test_the_aggregate_checks_its_own_invariants_too_photos_and_the_reopen_window():
    i = incident()
    with pytest.raises(InvalidInput) as e:
        i.add_information(text=None, photos=["a", "b", "c"], actor=ACTOR)
    assert e.value.rule == "max_items"
    i.triage(site_id=None, category="dust", priority="high", actor=ACTOR)
    i.assign(unit="Đội 1", inspector=None, due="2026-03-17", actor=ACTOR)
    i.verify(finding="x", inspection_id=None, actor=ACTOR)
    i.resolve(violation_id=None, note=None, resolved_at=T0, actor=ACTOR)
    i.collect_events()
    with pytest.raises(WrongState) as e:
        i.reopen(reason="x", photo="p2", actor=ACTOR, now=T0 + timedelta(days=31), window_days=30)
    assert e.value.rule == "reopen_window" and i.collect_events() == []
    i.reopen(reason="x", photo="p2", actor=ACTOR, now=T0 + timedelta(days=30), window_days=30)
    assert [type(e).__name__ for e in i.collect_events()] == ["Reopened"] and i.state == "reopened"


def test_a_stored_event_replays_even_where_todays_rules_would_refuse_the_command():
    """Replay runs the @event methods only: an Assigned straight after Reported (no triage) applies."""
    i = Incident(category="noise", description="Ồn", location=None, site_id=uuid4(), photos=[], reporter="tg:r",
                 reported_at=T0, triage_due=T0, resolution_due=T0, actor={"id": "tg:r", "role": "resident"})
    reported = i.collect_events()[0]
    assigned = Incident.Assigned(originator_id=i.id, originator_version=2, timestamp=T0, unit="Đội 1", inspector=None,
                                 due="2026-03-17", actor=ACTOR)
    replayed = assigned.mutate(reported.mutate(None))
    assert (replayed.state, replayed.version, replayed.assignment["unit"]) == ("assigned", 2, "Đội 1")

"""RPC answers the bot reads are contract models (shared/contracts/inspections_answers.py): the
service's real answers validate, and every day a resident or an inspector reads is Hanoi's."""
from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

from bot.flows.mine import summary_line
from bot.flows.tasks import due_text, task_line
from bot.texts import t
from shared.contracts.inspections_answers import Deadline, IncidentCard, Task
from tests.bot.test_flows import file_report, incidents_of


def card(**over) -> IncidentCard:  # type: ignore[no-untyped-def]
    return IncidentCard.model_validate({"id": uuid4(), "ticket": "LX-1", "category": "wastewater",
                                        "state": "reported", "reported_at": "2026-12-01T18:30:00+00:00", **over})


def test_a_report_filed_after_midnight_in_hanoi_is_dated_that_day_not_the_utc_day() -> None:
    line = summary_line("vi", card())  # 18:30 UTC on the 1st is 01:30 on the 2nd in Hanoi
    assert line == t("vi", "mine-line", ticket="LX-1", category=t("vi", "cat-wastewater"),
                     state=t("vi", "state-reported"), date="02/12/2026")
    assert card(resolution_due="2026-12-16T16:59:59.999+00:00").resolution_day == date(2026, 12, 16)


def test_a_task_is_due_on_its_assignments_day_else_the_hanoi_day_of_the_resolution() -> None:
    assert due_text(Deadline.model_validate({"unit": "Thanh tra Sở", "due": "2026-12-09"})) == "09/12/2026"
    assert due_text(Deadline.model_validate({"resolution_due": "2026-12-16T16:59:59.999+00:00"})) == "16/12/2026"
    assert due_text(Deadline()) == "—"
    task = Task.model_validate({"id": uuid4(), "ticket": "LX-2", "category": "air", "state": "assigned",
                                "priority": "urgent", "overdue": True,
                                "resolution_due": datetime(2026, 12, 3, 17, 30, tzinfo=timezone.utc)})
    assert task.due_day == date(2026, 12, 4) and "04/12/2026" in task_line("vi", task)
    assert Deadline().due_day is None


def test_the_services_answers_validate_as_the_bots_models(world, staff) -> None:  # type: ignore[no-untyped-def]
    async def story(w):  # type: ignore[no-untyped-def]
        await file_report(w.chat(131))
        [mine] = incidents_of(w, 131)
        listed = IncidentCard.model_validate(mine)
        full = IncidentCard.model_validate(staff("inspections", "get_incident", incident_id=mine["id"]))
        assert listed.id == full.id and listed.reported_at.tzinfo is not None
        assert full.resolution_day is not None and full.reported_day <= full.resolution_day

    world.run(story)

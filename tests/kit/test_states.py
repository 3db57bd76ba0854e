"""shared/kit/states.py: a table of which states each command starts from, refusing with the
service's own error."""
from enum import Enum
from types import SimpleNamespace

import pytest

from shared.kit.errors import Conflict
from shared.kit.states import Transitions


class Door(str, Enum):
    OPEN = "open"
    SHUT = "shut"
    LOCKED = "locked"


class Stuck(Conflict):
    pass


STEPS = Transitions(lambda door, verb, allowed: Stuck(f"cannot {verb} door {door.name}: it is {door.state} "
                                                      f"(must be {allowed})", "state", "stuck"),
                    shut=("shut", [Door.OPEN]), open=("open", [Door.SHUT]), lock=("lock", ["shut"]),
                    knock=("knock on", [Door.SHUT, Door.LOCKED]))


def test_a_command_from_an_allowed_state_passes_and_any_other_is_refused_with_the_services_error():
    door = SimpleNamespace(name="A", state="open")
    STEPS.check(door, "shut")
    with pytest.raises(Stuck) as e:
        STEPS.check(door, "knock")
    assert str(e.value) == "cannot knock on door A: it is open (must be shut, locked)"
    assert (e.value.kind, e.value.field, e.value.rule) == ("conflict", "state", "stuck")


def test_the_table_answers_what_a_state_allows_and_takes_enums_or_plain_values():
    assert STEPS.allows("lock", Door.SHUT) and STEPS.allows("lock", "shut") and not STEPS.allows("lock", "open")
    assert STEPS.actions_from(Door.SHUT) == ["open", "lock", "knock"]
    assert STEPS.actions_from("locked") == ["knock"]
    assert STEPS.steps["knock"].states == ("shut", "locked")


def test_an_unknown_action_or_a_step_no_state_allows_is_a_programming_error():
    with pytest.raises(KeyError):
        STEPS.check(SimpleNamespace(state="open"), "paint")
    with pytest.raises(ValueError):
        Transitions(lambda *a: Conflict("x"), paint=("paint", []))

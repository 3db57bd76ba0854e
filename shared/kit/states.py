"""An aggregate's state rules as data: for each command, the states it may start from.

The aggregate's plain command method checks its turn, then triggers its event (eventsourcing's
bankaccounts style):

    STEPS = Transitions(refuse=lambda i, verb, allowed: WrongState(f"cannot {verb} ... {i.state}", "state", "transition"),
                        triage=("triage", [IncidentState.REPORTED]), ...)

    class Incident(Aggregate):
        def triage(self, ...) -> None:
            STEPS.check(self, "triage")
            self._triaged(...)

        @event("Triaged")            # the event keeps its name (and its stored topic)
        def _triaged(self, ...) -> None: ...

Never put the check inside the @event-decorated method: eventsourcing runs that body again on
every replay, where a stored event must apply whatever the rules say today.

`refuse(aggregate, verb, allowed)` builds the error, so each service keeps its own error class,
message and codes (the bot's texts are keyed on them, tests/bot/error_inventory.py reads them from
the raise in the service's module). Plain Python: no eventsourcing, no transport.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from shared.kit.errors import LangXanhError

Refusal = Callable[[Any, str, str], LangXanhError]  # (aggregate, verb, "a, b") -> the error to raise


@dataclass(frozen=True)
class Step:
    verb: str  # how the refusal names the command: "sign at pickup" in "cannot sign at pickup manifest …"
    states: tuple[str, ...]  # the states it may start from, in the order the refusal lists them


class Transitions:
    """One aggregate's table: action → (verb, allowed states); `check` refuses any other state."""

    def __init__(self, refuse: Refusal, **steps: tuple[str, Iterable[str | Enum]]) -> None:
        self.refuse = refuse
        self.steps = {action: Step(verb, tuple(_value(s) for s in states)) for action, (verb, states) in steps.items()}
        empty = [action for action, step in self.steps.items() if not step.states]
        if empty:
            raise ValueError(f"no state allows {', '.join(empty)}")

    def allows(self, action: str, state: str | Enum) -> bool:
        return _value(state) in self.steps[action].states

    def check(self, aggregate: Any, action: str) -> None:
        """Refuse `action` unless `aggregate.state` is one it may start from (KeyError: no such action)."""
        step = self.steps[action]
        if aggregate.state not in step.states:
            raise self.refuse(aggregate, step.verb, ", ".join(step.states))

    def actions_from(self, state: str | Enum) -> list[str]:
        """The actions a record in `state` may take (in the table's order)."""
        return [action for action in self.steps if self.allows(action, state)]


def _value(state: str | Enum) -> str:
    return str(state.value) if isinstance(state, Enum) else str(state)

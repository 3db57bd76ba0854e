"""The one place the gateway turns a caller into the actor the services see (and, once actor
assertions are signed per component, where the gateway's signature is added).

An agency's key acts as agency staff; anyone without a key is the public (Role.PUBLIC: public
reads only); an Open311 reporter is a pseudonymous resident posting through an agency's key."""
from __future__ import annotations

from typing import Any

from shared.kit.actor import Actor, Role


def actor_for(caller: Any) -> Actor:
    """A gateway Caller (services.gateway.application.Caller) as an actor."""
    if caller.agency is None:
        return Actor(id="gateway:public", role=Role.PUBLIC)
    return Actor(id=f"gateway:{caller.agency}", role=Role.AGENCY)


def public_actor() -> Actor:
    return Actor(id="gateway:public", role=Role.PUBLIC)


def reporter_actor(pseudonym: str) -> Actor:
    return Actor(id=pseudonym, role=Role.RESIDENT)

"""Push on assignment (issue 15): when a report is assigned to an inspector, the chats linked to
that inspector's staff account get "Bạn được giao phản ánh … hạn …" with a [Xem] button.

The public event IncidentAssigned carries the unit and the due date, never a staff e-mail (staff
e-mails stay out of the public stream). So, only when some chat is linked to a staff account at all,
this module asks the inspections service who the report is assigned to (`incident_assignee`, a
staff read, as the bot's own inspector reader) and queues a message for each chat linked to that
e-mail, in the feed's transaction — only for an event after the chat was linked, and while the report
is still assigned (a replayed history pushes nothing old). The message id is the event's id and the chat's: a redelivered
event queues nothing twice. A failed lookup raises, so the feed keeps the event and tries again.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.labels import day
from bot.store import enqueue
from bot.texts import t
from shared.contracts.inspections import IncidentAssigned
from shared.contracts.inspections_answers import Assignee
from shared.kit.envelope import Received
from shared.kit.actor import Actor, Role

ASSIGNEE_READER = Actor(id="bot:tasks", role=Role.INSPECTOR)  # a read of who is assigned; never a write
Lookup = Callable[[str], dict]
_lookup: Lookup | None = None


def connect(lookup: Lookup | None) -> None:
    """The composition root (bot/feed.py's Feed, a test's world) gives the way to ask the service."""
    global _lookup
    _lookup = lookup


class ServiceLookup:
    """`incident_assignee` over one signed client, started on first use and kept open (the feed's
    threads share it; the client serialises its calls); `close()` when the feed stops."""

    def __init__(self, settings: Any) -> None:
        from shared.kit.client import ServiceClient

        self.client = ServiceClient(settings, ASSIGNEE_READER, settings.bot.rpc_timeout)
        self.started = False
        self.lock = threading.Lock()

    def __call__(self, incident_id: str) -> dict:
        with self.lock:
            if not self.started:
                self.client.__enter__()
                self.started = True
        return self.client.call("inspections", "incident_assignee", incident_id=incident_id)

    def close(self) -> None:
        with self.lock:
            if self.started:
                self.client.__exit__(None, None, None)
                self.started = False


def disconnect() -> None:
    """The feed stopped: close the lookup's client (if it has one) and forget it."""
    lookup, _ = _lookup, connect(None)
    close = getattr(lookup, "close", None)
    if close is not None:
        close()


def _after(event_time: Any, linked_at: str) -> bool:
    try:
        return datetime.fromisoformat(str(event_time).replace("Z", "+00:00")) >= datetime.fromisoformat(linked_at)
    except (TypeError, ValueError):
        return False


def push(cur: Any, got: Received) -> None:
    """The feed's hook: an incident assigned by name asks its inspector's linked chats to act."""
    if not isinstance(got.event, IncidentAssigned) or _lookup is None:
        return
    linked = cur.execute("SELECT COUNT(*) AS n FROM {t:bot_staff_links}").scalar(0)
    if not int(linked or 0):
        return  # no inspector linked: nothing to ask
    job = Assignee.model_validate(_lookup(got.subject or str(got.event.id)))
    email = (job.inspector or "").lower()
    if not email or job.state != "assigned":
        return  # assigned to a unit only (nobody by name), or already acted on (a replay of old history)
    chats = cur.execute(
        "SELECT DISTINCT a.chat_id, a.lang, l.linked_at FROM {t:bot_staff_links} l "
        "JOIN {t:bot_accounts} a ON a.user_id = l.user_id WHERE l.email=%s AND a.role='inspector'", (email,)).all()
    chats = [c for c in chats if _after(got.time, c["linked_at"])]  # nothing from before the link
    due = day(got.event.due or job.due)
    for chat in chats:
        lng = chat["lang"] or "vi"
        enqueue(cur, f"{got.id}:task:{chat['chat_id']}", chat["chat_id"], lng, "tasks-push",
                {"text": {"ticket": job.ticket, "due": due, "category": t(lng, f"cat-{job.category}")},
                 "buttons": [[["tasks-btn-view", f"task:{job.id}"]]]})

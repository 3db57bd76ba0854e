"""The bot's directory of manifest parties, kept from the manifests' public stream.

The public events name establishments (never people) and who signed, so the feed can tell,
without calling the service, which establishment is "transporter 2" of a manifest, who had signed
before a correction (the domain's `resign` list: every party with a signature that is not a
rejection) and which facility received the load. Chats are found through the bot's own linked
accounts (`bot_accounts`: role + establishment).
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from shared.kit.sql import Cursor

# the linked role that acts for each kind of party
ROLE_OF = {"generator": "business", "transporter": "transporter", "facility": "treatment_facility"}
JSON_FIELDS = ("transporters", "signed", "resign", "discrepancies", "accepted")
MAX_TRANSPORTERS = 5  # as the contract (CreateManifest.transporters)


def as_uuid(value: Any) -> str | None:
    """A UUID's canonical text, or None: the stream is parsed as hostile as any input."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        return None


def kind_of(party: str) -> str:
    """`transporter2` → `transporter`, `facility1` → `facility`."""
    return party.rstrip("0123456789")


def load(cur: Cursor, manifest_id: str) -> dict | None:
    row = cur.execute("SELECT * FROM {t:bot_manifest_parties} WHERE manifest_id=%s", (manifest_id,)).one()
    if row is None:
        return None
    row = dict(row)
    for key in JSON_FIELDS:
        row[key] = json.loads(row[key]) if row.get(key) else []
    return row


def save(cur: Cursor, row: dict) -> None:
    values = {k: (json.dumps(row.get(k) or []) if k in JSON_FIELDS else row.get(k))
              for k in ("manifest_id", "number", "generator", "transporters", "facility_1", "facility_2", "signed",
                        "resign", "version", "receiver", "discrepancies", "accepted")}
    cur.execute(
        "INSERT INTO {t:bot_manifest_parties} (manifest_id, number, generator, transporters, facility_1, facility_2, "
        "signed, resign, version, receiver, discrepancies, accepted) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
        "ON CONFLICT (manifest_id) DO UPDATE SET number=excluded.number, generator=excluded.generator, "
        "transporters=excluded.transporters, facility_1=excluded.facility_1, facility_2=excluded.facility_2, "
        "signed=excluded.signed, resign=excluded.resign, version=excluded.version, receiver=excluded.receiver, "
        "discrepancies=excluded.discrepancies, accepted=excluded.accepted",
        tuple(values.values()))


def drafted(manifest_id: str, data: dict) -> dict | None:
    """A new directory row from `manifest_drafted`, or None if the event does not name a route."""
    generator, facility_1 = as_uuid(data.get("generator_id")), as_uuid(data.get("facility_1"))
    transporters = [as_uuid(x) for x in (data.get("transporters") or [])][:MAX_TRANSPORTERS]
    if generator is None or facility_1 is None or not transporters or None in transporters:
        return None
    return {"manifest_id": manifest_id, "number": str(data.get("number") or "")[:40], "generator": generator,
            "transporters": transporters, "facility_1": facility_1, "facility_2": as_uuid(data.get("facility_2")),
            "signed": [], "resign": [], "version": 1, "receiver": None, "discrepancies": [], "accepted": []}


def rerouted(row: dict, data: dict) -> None:
    """A correction that changed the route: the parties follow it (as the domain's `party_of`)."""
    changed = set(data.get("changed") or [])
    if "transporters" in changed:
        transporters = [as_uuid(x) for x in (data.get("transporters") or [])][:MAX_TRANSPORTERS]
        if transporters and None not in transporters:
            row["transporters"] = transporters
    if "facility_1" in changed and as_uuid(data.get("facility_1")):
        row["facility_1"] = as_uuid(data.get("facility_1"))
    if "facility_2" in changed:
        row["facility_2"] = as_uuid(data.get("facility_2"))


def establishment(row: dict, party: str) -> str | None:
    """The establishment signing as `party` (generator, transporterN, facility1/2) of a manifest."""
    if party == "generator":
        return row["generator"]
    if party in ("facility", "facility1"):
        return row["facility_1"]
    if party == "facility2":
        return row["facility_2"]
    if kind_of(party) == "transporter":
        position = party.removeprefix("transporter")
        if position.isdigit() and 1 <= int(position) <= len(row["transporters"]):
            return row["transporters"][int(position) - 1]
    return None


def chats(cur: Cursor, row: dict, party: str) -> list[dict]:
    """The chats linked to the establishment of `party`, in its role (a resident never)."""
    est = establishment(row, party)
    role = ROLE_OF.get(kind_of(party))
    if est is None or role is None:
        return []
    return cur.execute("SELECT chat_id, lang FROM {t:bot_accounts} WHERE establishment_id=%s AND role=%s "
                       "ORDER BY chat_id", (est, role)).all()

"""Manifest pushes to the parties' chats, from the manifests' public stream (a feed push module,
bot/feed.py PUSH_MODULES: each row queued in the feed's transaction, beside its tracking row).

- a correction asks every party that had signed an earlier version to sign again ([Ký lại]);
- a discrepancy at receipt goes to both sides, the generator and the receiving facility, with the
  figures and [Đồng ý số liệu] / [Đề nghị cơ quan xử lý]; one side's acceptance reminds the other
  (it is never agreed by one side alone), and the outcome goes to both;
- each signature tells the next party its turn (transporter N → N+1 → facility 1); a rejection
  tells the generator.

Message ids are `<event id>:<chat>:<kind>`: an event redelivered before its row was sent queues
nothing twice (and the feed's tracking applies each event once). Button data are short
(`mfa:<action>:<manifest>:<version>`, ≤ 64 bytes) and handled by bot/flows/manifest_signals.py,
which acts as the person pressing; the service checks that they are the party.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from bot.pushes import parties
from bot.store import enqueue
from bot.texts import t
from shared.contracts.base import PublicEvent
from shared.contracts.manifests import (
    ManifestCorrected, ManifestDiscrepancyAccepted, ManifestDiscrepancyResolved, ManifestDrafted, ManifestReceived,
    ManifestRejected, ManifestResigned, ManifestSignedByGenerator, ManifestSignedByTransporter)
from shared.kit.envelope import Received
from shared.kit.sql import Cursor

PREFIX = "mfa"
SIGN_AGAIN, AGREE, ESCALATE = "s", "a", "e"
VIEW = "mfshow"  # the manifest flow's card of one manifest (bot/flows/manifest)
CODE = re.compile(r"^\d{2} \d{2} \d{2}$")
CHANGED = ("transporters", "facility_1", "facility_2", "vehicle_plate", "lines", "planned_date")
REASONS = ("data_error", "route_change", "quantity_change", "vehicle_change", "other")
REJECT_REASONS = ("wrong_waste_type", "not_permitted", "packaging", "quantity", "documents", "capacity", "other")
MAX_LINES = 200
SHOWN = 20  # discrepancy lines written out in a push; the rest counted (the card shows them all)


def action_data(action: str, manifest_id: str, version: int) -> str:
    return f"{PREFIX}:{action}:{manifest_id}:{version}"


def view(manifest_id: str) -> list[list[str]]:
    return [["mfp-btn-view", f"{VIEW}:{manifest_id}"]]


def fmt_kg(lng: str, value: float) -> str:
    """12.5 → "12,5" (vi) or "12.5" (en); thousands grouped."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if lng == "vi" else text


def party_name(lng: str, party: str) -> str:
    kind, position = parties.kind_of(party), party[len(parties.kind_of(party)):] or "1"
    return t(lng, f"mfp-party-{kind}", position=position)


def tell(cur: Cursor, got: Received, row: dict, party: str, kind: str, key: str,
         text: Callable[[str], dict], buttons: list[list[list[str]]] | None = None) -> None:
    """Queue `key` for every chat linked to the establishment of `party`, in each chat's language."""
    for chat in parties.chats(cur, row, party):
        lng = chat["lang"] or "vi"
        enqueue(cur, f"{got.id}:{chat['chat_id']}:{kind}-{party}", chat["chat_id"], lng, key,
                {"text": text(lng), "buttons": buttons or []})


def clean_discrepancies(items: object) -> list[dict]:
    """The event's discrepancy lines, only the fields shown and only well-formed (hostile input)."""
    out = []
    for d in items if isinstance(items, list) else []:
        if not isinstance(d, dict) or not isinstance(d.get("line"), int):
            continue
        if d.get("kind") == "weight" and all(isinstance(d.get(k), (int, float)) for k in ("declared_kg", "measured_kg")):
            out.append({"line": d["line"], "kind": "weight", "declared_kg": float(d["declared_kg"]),
                        "measured_kg": float(d["measured_kg"])})
        elif d.get("kind") == "waste_type" and all(CODE.match(str(d.get(k, ""))) for k in ("declared_code",
                                                                                           "measured_code")):
            out.append({"line": d["line"], "kind": "waste_type", "declared_code": d["declared_code"],
                        "measured_code": d["measured_code"]})
    return out[:MAX_LINES]


def figures(lng: str, discrepancies: list[dict]) -> str:
    """The declared and measured figures per line (the first SHOWN: a message holds 4 096 characters)."""
    lines = []
    for d in discrepancies[:SHOWN]:
        if d["kind"] == "weight":
            declared, measured = d["declared_kg"], d["measured_kg"]
            share = abs(measured - declared) / declared * 100 if declared else 100.0
            lines.append(t(lng, "mfp-disc-weight", line=d["line"], declared=fmt_kg(lng, declared),
                           measured=fmt_kg(lng, measured), share=fmt_kg(lng, round(share, 1))))
        else:
            lines.append(t(lng, "mfp-disc-code", line=d["line"], declared=d["declared_code"],
                           measured=d["measured_code"]))
    if len(discrepancies) > SHOWN:
        lines.append(t(lng, "mfp-disc-more", count=len(discrepancies) - SHOWN))
    return "\n".join(lines)


def discrepancy_buttons(row: dict) -> list[list[list[str]]]:
    mid, version = row["manifest_id"], row["version"]
    return [[["mfp-btn-agree", action_data(AGREE, mid, version)]],
            [["mfp-btn-escalate", action_data(ESCALATE, mid, version)]], view(mid)]


def other_side(row: dict, party: str) -> str | None:
    return row.get("receiver") if party == "generator" else "generator"


# -- one step per public event -------------------------------------------------------------------
def signed_by_generator(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    row["signed"] = sorted(set(row["signed"]) | {"generator"})
    tell(cur, got, row, "transporter1", "turn", "mfp-pickup-awaits", lambda lng: {"number": row["number"]},
         [view(row["manifest_id"])])


def signed_by_transporter(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    position = data.get("position")
    if not isinstance(position, int) or not 0 <= position < len(row["transporters"]):
        return
    row["signed"] = sorted(set(row["signed"]) | {f"transporter{position + 1}"})
    if position + 1 < len(row["transporters"]):
        nxt, key = f"transporter{position + 2}", "mfp-leg-awaits"
    else:
        nxt, key = "facility1", "mfp-arrival-awaits"
    tell(cur, got, row, nxt, "turn", key,
         lambda lng: {"number": row["number"], "previous": party_name(lng, f"transporter{position + 1}"),
                      "leg": position + 2}, [view(row["manifest_id"])])


def received(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    facility = data.get("facility")
    if facility not in ("facility1", "facility2"):
        return
    row["signed"] = sorted(set(row["signed"]) | {facility})
    row["receiver"] = facility
    row["discrepancies"] = clean_discrepancies(data.get("discrepancies"))
    if facility == "facility1" and row.get("facility_2"):  # facility 2 acts after facility 1 has signed
        tell(cur, got, row, "facility2", "turn", "mfp-facility2-turn", lambda lng: {"number": row["number"]},
             [view(row["manifest_id"])])
    if not row["discrepancies"]:
        return
    for party in ("generator", facility):
        tell(cur, got, row, party, "discrepancy", "mfp-discrepancy",
             lambda lng: {"number": row["number"], "lines": figures(lng, row["discrepancies"])},
             discrepancy_buttons(row))


def discrepancy_accepted(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    party = data.get("party")
    other = other_side(row, str(party)) if party in ("generator", "facility1", "facility2") else None
    if other is None:
        return
    row["accepted"] = sorted(set(row["accepted"]) | {str(party)})
    if other in row["accepted"]:  # both sides agreed: the resolution follows, no reminder
        return
    tell(cur, got, row, other, "reminder", "mfp-discrepancy-reminder",
         lambda lng: {"number": row["number"], "party": party_name(lng, str(party)),
                      "lines": figures(lng, row["discrepancies"])}, discrepancy_buttons(row))


def discrepancy_resolved(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    outcome = data.get("outcome")
    if outcome not in ("agreed", "escalated") or row.get("receiver") is None:
        return
    for party in ("generator", row["receiver"]):
        tell(cur, got, row, party, "resolved", f"mfp-discrepancy-{outcome}", lambda lng: {"number": row["number"]},
             [view(row["manifest_id"])])


def rejected(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    code = data.get("reason_code") if data.get("reason_code") in REJECT_REASONS else "other"
    lines = [x for x in (data.get("lines") or []) if isinstance(x, int)][:MAX_LINES]
    key = "mfp-rejected-full" if data.get("full") is True else "mfp-rejected-part"
    tell(cur, got, row, "generator", "rejected", key,
         lambda lng: {"number": row["number"], "lines": ", ".join(map(str, lines)),
                      "reason": t(lng, f"mfp-reject-reason-{code}")}, [view(row["manifest_id"])])


def corrected(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    """A new version: the parties who had signed (any signature but a rejection) sign again."""
    row["version"] = int(row["version"]) + 1
    parties.rerouted(row, data)
    row["resign"] = sorted(set(row["signed"]))
    changed = [c for c in (data.get("changed") or []) if c in CHANGED]
    code = data.get("reason_code") if data.get("reason_code") in REASONS else "other"
    buttons = [[["mfp-btn-sign-again", action_data(SIGN_AGAIN, row["manifest_id"], row["version"])]],
               view(row["manifest_id"])]
    for party in row["resign"]:
        tell(cur, got, row, party, "resign", "mfp-resign",
             lambda lng, p=party: {"number": row["number"], "version": row["version"], "party": party_name(lng, p),
                                   "changed": ", ".join(t(lng, f"mfp-field-{c}") for c in changed) or "—",
                                   "reason": t(lng, f"mfp-correct-reason-{code}")}, buttons)


def signed_again(cur: Cursor, got: Received, row: dict, data: dict) -> None:
    party = str(data.get("party") or "")
    row["resign"] = [p for p in row["resign"] if p != party]
    if parties.establishment(row, party) is not None:
        row["signed"] = sorted(set(row["signed"]) | {party})


# One step per manifests contract (the feed hands each module the contract instance: dispatch on its class).
STEPS: dict[type[PublicEvent], Callable[[Cursor, Received, dict, dict], None]] = {
    ManifestSignedByGenerator: signed_by_generator, ManifestSignedByTransporter: signed_by_transporter,
    ManifestReceived: received, ManifestDiscrepancyAccepted: discrepancy_accepted,
    ManifestDiscrepancyResolved: discrepancy_resolved, ManifestRejected: rejected,
    ManifestCorrected: corrected, ManifestResigned: signed_again,
}


def push(cur: Cursor, got: Received) -> None:
    """The feed's hook: keep the directory, and queue what this event means for the parties."""
    drafted = isinstance(got.event, ManifestDrafted)
    step = STEPS.get(type(got.event))
    if not drafted and step is None:
        return
    data = got.data if isinstance(got.data, dict) else {}
    manifest_id = parties.as_uuid(data.get("id") or got.subject)
    if manifest_id is None or not got.id:
        return
    if drafted:
        row = parties.drafted(manifest_id, data)
        if row is not None and parties.load(cur, manifest_id) is None:
            parties.save(cur, row)
        return
    row = parties.load(cur, manifest_id)
    if row is None:  # drafted before the bot followed the stream: nobody to tell
        return
    assert step is not None
    step(cur, got, row, data)
    parties.save(cur, row)

"""One manifest's card (every party): its route in order, lines, receipt, an open discrepancy's
declared and measured figures, rejected lines, treatment, copy 4, who must sign again; and the
buttons this party may press now. Stateless: the card keeps no draft."""
from __future__ import annotations

from telegram import Update

from bot.common import Ctx, actor, answer_query, buttons, lang, send_text
from bot.flows.manifest.common import (entry, line_text, manifest_of, names_of, party_name, pressed, route_text,
                                       state_name)
from bot.flows.manifest.parse import fmt_date, fmt_kg
from bot.texts import t
from shared.contracts.manifests_answers import Discrepancy, ManifestCard
from shared.kit.calendar import local_date

CORRECTABLE = ("draft", "handed_over", "in_transit", "received", "treated")   # the service's rule


def my_party(m: ManifestCard, establishment: str | None) -> str | None:
    if not establishment:
        return None
    if m.generator_id == establishment:
        return "generator"
    if establishment in m.transporters:
        return f"transporter{m.transporters.index(establishment) + 1}"
    if m.facility_1 == establishment:
        return "facility1"
    if m.facility_2 == establishment:
        return "facility2"
    return None


def establishment_of(m: ManifestCard, party: str) -> str | None:
    if party == "generator":
        return m.generator_id
    if party.startswith("transporter"):
        i = int(party.removeprefix("transporter") or 1) - 1
        return m.transporters[i] if 0 <= i < len(m.transporters) else None
    return m.facility_2 if party == "facility2" else m.facility_1


def parties_text(lng: str, m: ManifestCard, parties: list[str], names: dict[str, str]) -> str:
    """'chủ nguồn thải (Xưởng gốm …), vận chuyển (thứ 1) (Công ty …)'."""
    out = []
    for p in parties:
        eid = establishment_of(m, p)
        out.append(f"{party_name(lng, p)} ({names[eid]})" if eid in names else party_name(lng, p))
    return ", ".join(out)


def signed_parties(m: ManifestCard) -> set[str]:
    return {s.party for s in m.signatures if (s.version or m.manifest_version) == m.manifest_version}


def transporters_done(m: ManifestCard) -> bool:
    return {f"transporter{i + 1}" for i in range(len(m.transporters))} <= signed_parties(m)


def transporter_turn(m: ManifestCard, party: str) -> bool:
    position = int(party.removeprefix("transporter"))
    earlier = {f"transporter{i}" for i in range(1, position)}
    return m.state in ("handed_over", "in_transit") and party not in signed_parties(m) \
        and earlier <= signed_parties(m)


def facility_actions(lng: str, m: ManifestCard, party: str) -> list[list[tuple[str, str]]]:
    mid, number, state = m.id, m.number, m.state
    first_signed = any(s.party == "facility1" for s in m.signatures)
    if state == "in_transit" and transporters_done(m) and (party == "facility1" or first_signed):
        return [[(t(lng, "mf-btn-receive", number=number), f"mfrecv:{mid}")],
                [(t(lng, "mf-btn-reject", number=number), f"mfrej:{mid}")]]
    if state == "received":
        return [[(t(lng, "mf-btn-treat", number=number), f"mftreat:{mid}")]]
    return []


def actions(lng: str, m: ManifestCard, party: str | None) -> list[list[tuple[str, str]]]:
    """The buttons this party may press on this manifest now (the service still decides)."""
    if not party:
        return []
    mid, number, state = m.id, m.number, m.state
    if party in m.resign:
        return [[(t(lng, "mf-btn-sign-again", number=number), f"mfsa:{mid}")]]
    if party == "generator":
        rows = []
        if state == "draft":
            rows.append([(t(lng, "mf-btn-handover", number=number), f"mfhand:{mid}")])
        if state == "treated":
            rows.append([(t(lng, "mf-btn-copy4", number=number), f"mfc4:{mid}")])
        if state in CORRECTABLE:
            rows.append([(t(lng, "mf-btn-correct", number=number), f"mfcorr:{mid}")])
        return rows
    if party.startswith("transporter"):
        if not m.resign and transporter_turn(m, party):
            return [[(t(lng, "mf-btn-pickup", number=number), f"mfpick:{mid}")]]
        return []
    return facility_actions(lng, m, party)


def discrepancy_lines(lng: str, disc: Discrepancy) -> list[str]:
    out = []
    for x in disc.lines:
        if x.get("kind") == "waste_type":
            out.append(t(lng, "mf-show-discrepancy-code", line=x["line"], declared=x.get("declared_code", "—"),
                         measured=x.get("measured_code", "—")))
        else:
            out.append(t(lng, "mf-show-discrepancy-kg", line=x["line"],
                         declared=fmt_kg(lng, float(x.get("declared_kg", 0))),
                         measured=fmt_kg(lng, float(x.get("measured_kg", 0))),
                         share=fmt_kg(lng, round(100 * float(x.get("difference_share", 0)), 1))))
    return out


def extras(lng: str, m: ManifestCard, names: dict[str, str], party: str | None) -> list[str]:
    """What happened after hand-over, each on its own line (its days Hanoi's)."""
    parts = []
    rejected = [x for x in m.lines if x.get("rejected")]
    if rejected:
        parts.append(t(lng, "mf-show-rejected", lines=", ".join(str(x["line"]) for x in rejected),
                       kg=fmt_kg(lng, sum(float(x["quantity_kg"]) for x in rejected)), count=len(m.links)))
    if m.received:
        parts.append(t(lng, "mf-show-received", kg=fmt_kg(lng, sum(float(x["quantity_kg"]) for x in m.received.lines))))
    disc = m.open_discrepancy
    if disc:
        parts.append(t(lng, "mf-show-discrepancy", lines=", ".join(str(x["line"]) for x in disc.lines),
                       due=fmt_date(local_date(disc.due) if disc.due else None)))
        parts.extend(discrepancy_lines(lng, disc))
    if m.treatment:
        parts.append(t(lng, "mf-show-treated", method=m.treatment.method or "—", date=fmt_date(m.treatment.date)))
    if m.copy4_returned_at:
        parts.append(t(lng, "mf-show-copy4", date=fmt_date(m.copy4_day)))
    if m.resign:
        parts.append(t(lng, "mf-show-resign", parties=parties_text(lng, m, m.resign, names)))
    elif party and party.startswith("transporter") and m.state in ("handed_over", "in_transit") \
            and party not in signed_parties(m) and not transporter_turn(m, party):
        parts.append(t(lng, "mf-show-wait-turn"))
    return parts


def card_text(lng: str, m: ManifestCard, names: dict[str, str], party: str | None) -> str:
    live = [x for x in m.lines if not x.get("rejected")]
    facilities = [m.facility_1] + ([m.facility_2] if m.facility_2 else [])
    head = t(lng, "mf-show", number=m.number, version=m.manifest_version,
             state=state_name(lng, m.state), generator=names.get(m.generator_id, "—"),
             transporters=route_text([names.get(x, x[:8]) for x in m.transporters]),
             facility=route_text([names.get(x, x[:8]) for x in facilities]), plate=m.vehicle_plate or "—",
             date=fmt_date(m.planned_date), lines="\n".join(line_text(lng, x) for x in live) or "—",
             total=fmt_kg(lng, sum(float(x["quantity_kg"]) for x in live)))
    return "\n".join([head, *extras(lng, m, names, party)])


async def send_card(update: Update, context: Ctx, manifest_id: str) -> None:
    m = await manifest_of(update, context, manifest_id)
    who = await actor(update, context)
    lng = lang(update, context)
    names = await names_of(update, context, [m.generator_id, *m.transporters, m.facility_1, m.facility_2])
    party = my_party(m, who.establishment)
    rows = actions(lng, m, party)
    await send_text(update, context, card_text(lng, m, names, party), buttons(rows) if rows else None)


@entry
async def show(update: Update, context: Ctx) -> None:
    await answer_query(update)
    await send_card(update, context, pressed(update))

"""The site status card as lines of text, in a language (the bot and `langxanh status`)."""
from __future__ import annotations

from shared import reference
from shared.contracts.indicators_answers import OpenViolation, StatusCard
from shared.contracts.sites_answers import SiteCard, SiteSummary
from shared.reference import commune_name, district_name

from bot.labels import day, value_label
from bot.texts import t

MARKS = {True: "✔", False: "✘", None: "·"}


def card_rows(lng: str, site: SiteCard, establishments: list, card: StatusCard | None) -> list[tuple[str, str]]:
    """(label, value) rows of the card: the registry's facts, then the indicators' when known."""
    rows = [(t(lng, "card-trade"), site.trade or "—"),
            (t(lng, "card-commune"), commune_name(site.commune) or t(lng, "card-unmapped")),
            (t(lng, "card-before-reform"),
             ", ".join(filter(None, [site.old_commune, district_name(site.old_district)])) or "—")]
    rec = site.recognition
    rows.append((t(lng, "card-recognised"), t(lng, "card-no") if not rec else
                 f"{rec.decision or t(lng, 'card-yes')} {day(rec.date) if rec.date else ''}".strip()))
    cl = site.classification
    rows.append((t(lng, "card-classified"), t(lng, "card-not-assessed") if not cl else
                 t(lng, "card-classes", date=day(cl.date), water=value_label(lng, "water", cl.water),
                   air=value_label(lng, "air", cl.air), soil=value_label(lng, "soil", cl.soil))))
    rows.append((t(lng, "card-conditions"),
                 ", ".join(f"{value_label(lng, 'item', k)}: {value_label(lng, 'state', v.state)}"
                           for k, v in site.conditions.items()) or t(lng, "card-not-checked")))
    w = site.wwtp
    rows.append((t(lng, "card-wwtp"), t(lng, "card-unknown") if not w else value_label(lng, "status", w.status) + (
        f", {w.capacity_m3_day:g} m³/{t(lng, 'card-day')}" if w.capacity_m3_day else "")))
    rows.append((t(lng, "card-establishments"), str(len(establishments))))
    source = reference.sources().get(site.source or "", site.source or "—")
    rows.append((t(lng, "card-source"), t(lng, "card-source-value", source=source,
                                          confidence=value_label(lng, "confidence", site.confidence))))
    if card is not None:
        rows.append((t(lng, "card-last-inspection"), day(card.last_inspection) if card.last_inspection
                     else t(lng, "card-none-yet")))
        rows.append((t(lng, "card-open-violations"), violations(lng, card.open_violations) or t(lng, "card-none")))
        rows.append((t(lng, "card-open-incidents"),
                     t(lng, "card-incidents", open=card.open_incidents, total=card.incidents_total)))
        m = card.manifests
        rows.append((t(lng, "card-manifests"), t(lng, "card-manifests-value", count=m.count,
                                                 handed=f"{m.handed_over_kg:g}", treated=f"{m.treated_kg:g}")))
        rows.append((t(lng, "card-grid"), " ".join(
            f"{g.quarter[2:]}:{MARKS[g.clusters_with_wwtp]}{MARKS[g.villages_classified]}"
            f"{MARKS[g.villages_meeting_conditions]}" for g in card.compliance_grid)))
    return rows


def violations(lng: str, open_violations: list[OpenViolation]) -> str:
    """Each open violation's state in words, with its measures (the inspectors' words) and deadlines."""
    return "; ".join(value_label(lng, "violation", v.state) + "".join(
        f", {m.measure} {t(lng, 'card-due')} {day(m.deadline)}" for m in v.measures) for v in open_violations)


def title(lng: str, site: SiteSummary) -> str:
    return t(lng, "card-title", kind=t(lng, f"kind-{site.kind}"), name=site.name)


def card_text(lng: str, site: SiteCard, establishments: list, card: StatusCard | None) -> str:
    lines = [title(lng, site)] + [f"• {label}: {value}" for label, value in card_rows(lng, site, establishments, card)]
    if card is None:
        lines.append(t(lng, "card-indicators-missing"))
    return "\n".join(lines)


def site_label(lng: str, site: SiteSummary) -> str:
    """A button label that tells same-named places apart: name — kind, commune (or old district)."""
    place = commune_name(site.commune) or district_name(site.old_district) or ""
    kind = t(lng, "kind-" + site.kind)
    return f"{site.name} — {kind}" + (f", {place}" if place else "")

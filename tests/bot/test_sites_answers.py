"""The sites service's answers the bot reads are contract models (shared/contracts/sites_answers.py,
sites_links.py): the real answers, as they cross the wire (JSON), validate, with their days typed."""
from __future__ import annotations

from datetime import date, datetime

from bot.cards import card_text, site_label
from shared.contracts.indicators_answers import StatusCard
from shared.contracts.sites_answers import EstablishmentCard, SiteCard, SiteListing, SiteSummary, Written
from shared.contracts.sites_links import LinkCodeIssued, LinkRedeemed
from shared.kit.actor import Actor, Role

ADMIN = Actor("answers-admin", Role.ADMIN)
AGENCY = Actor("answers-agency", Role.AGENCY)


def test_the_sites_answers_validate_as_the_bots_models(cluster) -> None:  # type: ignore[no-untyped-def]
    call = cluster.call_sync
    [found] = [SiteSummary.model_validate(s) for s in call(ADMIN, "sites", "search_sites", query="Bát Tràng", limit=1)]
    assert found.kind == "craft_village" and found.score and "Bát Tràng" in site_label("vi", found)
    site_id = str(found.id)
    day = "2026-11-30"
    assert Written.model_validate(call(AGENCY, "sites", "classify_site", command_id="ans-classify", site_id=site_id,
                                       classified_on=day, water="polluted", air="not_polluted", soil="not_polluted",
                                       assessor="Sở NN&MT", legal_basis="TT 31/2016")).id == found.id
    Written.model_validate(call(AGENCY, "sites", "set_condition", command_id="ans-cond", site_id=site_id,
                                item="drainage", state="in_progress", checked_on=day))
    Written.model_validate(call(AGENCY, "sites", "set_wwtp", command_id="ans-wwtp", site_id=site_id,
                                status="planned", since=day))
    site = SiteCard.model_validate(call(AGENCY, "sites", "get_site", site_id=site_id))
    assert site.classification and site.classification.date == date(2026, 11, 30)
    assert site.conditions["drainage"].state == "in_progress" and site.conditions["drainage"].date == date(2026, 11, 30)
    assert site.wwtp and site.wwtp.since == date(2026, 11, 30) and site.version >= 4
    status = StatusCard.model_validate(call(AGENCY, "indicators", "status_card", site_id=site_id))
    assert len(status.compliance_grid) == 12 and status.manifests.count >= 0
    assert "30/11/2026" in card_text("vi", site, [], status)
    listing = SiteListing.model_validate(call(ADMIN, "sites", "list_sites", limit=5))
    assert listing.total >= len(listing.sites) == 5 and all(isinstance(s, SiteSummary) for s in listing.sites)

    est = Written.model_validate(call(ADMIN, "sites", "register_establishment", command_id="ans-est", site_id=site_id,
                                      name="Xưởng gốm Answers", form="enterprise", registration_code="ANS001",
                                      hw_generator=True))
    card = EstablishmentCard.model_validate(call(ADMIN, "sites", "get_establishment", establishment_id=str(est.id)))
    assert card.name == "Xưởng gốm Answers" and card.site_id == found.id and card.hw_generator
    issued = LinkCodeIssued.model_validate(call(ADMIN, "sites", "issue_link_code", command_id="ans-link",
                                                role="business", establishment_id=str(est.id), ttl_hours=1))
    assert isinstance(issued.expires_at, datetime) and issued.expires_at.tzinfo is not None
    redeemed = LinkRedeemed.model_validate(call(Actor("link:ans", Role.RESIDENT), "sites", "redeem_link_code",
                                                command_id="ans-redeem", code=issued.code, account="link:ans"))
    assert (redeemed.role, redeemed.establishment_id, redeemed.staff) == ("business", est.id, None)

"""The demo reads the registry's answers as contract models (list_sites, classify_site, set_condition,
set_wwtp): its staff steps run against the in-process services."""
from __future__ import annotations

import asyncio

from bot.demo import Demo, Sizes
from shared.contracts.sites_answers import SiteSummary
from shared.kit.config import Settings, with_values
from tests.bot.cluster import LocalServices


def test_the_demo_finds_its_villages_and_the_agency_classifies_them(cluster, tmp_path) -> None:  # type: ignore[no-untyped-def]
    demo = Demo(with_values(Settings(data_dir=tmp_path, database_url=None)), Sizes(villages=2),
                services=LocalServices(cluster))

    async def story() -> dict:
        sites = await demo.places()
        await demo.agency_classifies(sites)
        return sites

    sites = asyncio.run(story())
    assert sites["villages"] and all(isinstance(v, SiteSummary) and v.recognition and v.location
                                     for v in sites["villages"])
    assert demo.out.failed == [] and demo.out.acknowledged["sites.classify_site"] == 2
    assert demo.out.acknowledged["sites.set_wwtp"] >= 1


def test_the_console_registers_its_demo_establishment_and_issues_its_code(cluster) -> None:  # type: ignore[no-untyped-def]
    from bot.console import link_as

    code = asyncio.run(link_as(LocalServices(cluster), "business"))  # type: ignore[arg-type]
    assert len(code.replace("-", "")) >= 6


def test_the_whole_demo_runs_against_the_in_process_services(cluster, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every answer the scenario reads (sites, link codes, manifests) parses: nothing fails, a manifest is treated."""
    demo = Demo(with_values(Settings(data_dir=tmp_path, database_url=None)),
                Sizes(residents=2, reports=1, manifests=1, villages=2), services=LocalServices(cluster))
    out = asyncio.run(asyncio.wait_for(demo.run(), 240))
    assert out.failed == [] and len(out.manifests) == 1
    assert out.acknowledged["sites.issue_link_code"] == 3 and out.acknowledged["manifests.treat"] == 1

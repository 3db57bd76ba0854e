"""The permit reaches inspections (issue 16): the sites stream carries it on registration and,
now, on amendment (before, the amendment's public event dropped it and the inspections directory
kept no permit at all), and the evaluation then uses its discharge terms. SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest

from services.inspections.permit_directory import InspectionsDirectory
from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from tests.application.test_inspections_app import INSPECTOR, clock, directory, insp  # noqa: F401

pytestmark = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)
AGENCY = Actor("staff:a@x.vn", "agency")
TERMS = {"operating_since": "2018-01-01", "limits": [{"parameter": "COD", "unit": "mg/L", "max": 90}]}


def follow(directory, sites):
    mapper = PublicMapper("sites", sites, SitesService.kit.contracts, place=getattr(sites, "place_of", None))
    directory.apply_many("sites", mapper.events_since(0, 1000))


def test_an_amended_permit_reaches_the_inspections_directory_and_its_limits_apply(insp, sites):
    site = sites.register_site(AGENCY, None, kind="craft_village", name="La Phù", old_district="hoai-duc")["id"]
    est = sites.register_establishment(AGENCY, None, site_id=site, name="Xưởng nhuộm A", form="enterprise",
                                       registration_code="0100000001", trades=["dệt kim"],
                                       permit={"type": "GPMT", "number": "5/GPMT", "date": "2020-02-02"})["id"]
    directory = InspectionsDirectory(Db.of(insp))
    follow(directory, sites)
    assert directory.establishment(est)["permit"] == {"type": "GPMT", "number": "5/GPMT", "date": "2020-02-02",
                                                      "discharge": None}
    sites.amend_establishment(AGENCY, None, est, {"permit": {"type": "GPMT", "number": "6/GPMT",
                                                             "date": "2025-01-02", "discharge": TERMS}})
    follow(directory, sites)
    kept = directory.establishment(est)["permit"]
    assert kept["number"] == "6/GPMT" and kept["discharge"]["limits"][0]["max"] == 90
    insp.directory = directory
    out = insp.evaluate_samples(INSPECTOR, on=date(2026, 3, 6), establishment_id=est,
                                samples=[{"parameter": "COD", "value": 100, "unit": "mg/L"}])
    assert (out["selection"]["reason"], out["samples"][0]["limit_max"], out["samples"][0]["exceeds"]) == (
        "transition", 90, True)
    sites.amend_establishment(AGENCY, None, est, {"permit": None})  # removed: the directory forgets it
    follow(directory, sites)
    assert directory.establishment(est)["permit"] is None
    sites.amend_establishment(AGENCY, None, est, {"name": "Xưởng nhuộm B"})  # another change keeps nothing stale
    follow(directory, sites)
    assert directory.establishment(est)["permit"] is None

"""Every record's source (issue 16): an import's file and row is kept on a site's and an
establishment's registration and on each amendment; the record's `source` is the latest, each
event keeps its own; an amendment without a source leaves it as it was. All three stores."""
from __future__ import annotations

from uuid import UUID

from shared.kit.actor import Actor, Role

AGENCY = Actor("cli:import", Role.ADMIN)


def test_registrations_and_amendments_keep_their_file_and_row(sites):
    site = sites.register_site(AGENCY, None, kind="craft_village", name="Bát Tràng", old_district="gia-lam",
                               reference_key="bat-trang", source="so-dang-ky.xlsx dòng 2")
    est = sites.register_establishment(AGENCY, None, site_id=site["id"], name="Gốm Minh Long", form="enterprise",
                                       registration_code="0101234567", trades=[], source="co-so.xlsx dòng 7")
    assert sites.get_establishment(est["id"])["source"] == "co-so.xlsx dòng 7"

    sites.amend_site(AGENCY, None, site["id"], {"households": 1250}, source="v2.xlsx dòng 2")
    sites.amend_establishment(AGENCY, None, est["id"], {"name": "Gốm Minh Long 2"}, source="v2.xlsx dòng 3")
    assert sites.get_site(site["id"])["source"] == "v2.xlsx dòng 2"
    assert sites.get_establishment(est["id"])["source"] == "v2.xlsx dòng 3"

    sites.amend_site(AGENCY, None, site["id"], {"households": 1300})  # a staff form: no source given
    assert sites.get_site(site["id"])["source"] == "v2.xlsx dòng 2"
    stored = list(sites.repository.event_store.get(UUID(site["id"])))  # each event keeps its own
    assert [getattr(e, "source", None) for e in stored] == ["so-dang-ky.xlsx dòng 2", "v2.xlsx dòng 2", None]

"""The registry's ids and registration rules, shared by the sites domain and the spreadsheet import.

A site's id is derived from its reference key and an establishment's from its site and registration
code, so the seed, an import and the sites service name the same record the same way. The two
registration checks are pure: the sites aggregates call them (services/sites/domainmodel.py) and
the import's dry run calls them (shared/transfer/rows.py), which keeps shared/ free of imports
from services/.
"""
from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from shared.kit.errors import InvalidInput

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/sites")
WASTE_CODE = re.compile(r"^\d{2} \d{2} \d{2}$")
INDUSTRIAL_CLUSTER = "industrial_cluster"


class WrongSiteKind(InvalidInput):
    pass


def site_id_for(reference_key: str) -> UUID:
    return uuid5(NAMESPACE, f"site:{reference_key}")


def establishment_id_for(site_id: UUID, registration_code: str) -> UUID:
    return uuid5(NAMESPACE, f"establishment:{site_id}:{registration_code}")


def check_registration(kind: str, old_district: str | None, commune: str | None,
                       craft_village_cluster: bool) -> None:
    if not old_district and not commune:
        raise InvalidInput("a site needs its old district (before 1 July 2025) or its new commune/ward",
                           "commune", "required_one_of")
    if craft_village_cluster and kind != INDUSTRIAL_CLUSTER:
        raise WrongSiteKind("only an industrial cluster can be a craft-village cluster",
                            "craft_village_cluster", "kind")


def check_licence(transporter: bool, treatment_facility: bool, licence: dict | None) -> None:
    if (transporter or treatment_facility) and not licence:
        raise InvalidInput("a transporter or treatment facility needs its hazardous-waste licence",
                           "licence", "required")
    for code in (licence or {}).get("waste_codes", []):
        if not WASTE_CODE.match(code):
            raise InvalidInput(f"waste code {code!r} is not of the form 'xx xx xx'", "licence.waste_codes", "format")

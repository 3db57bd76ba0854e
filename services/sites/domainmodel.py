"""Sites: the registry of craft villages, industrial zones and clusters, the establishments in
them and the one-time link codes that bind a chat account to an establishment or an agency.

Aggregates in eventsourcing's declarative style; invariants in check_* methods raising the
domain errors defined here. No transport, no pydantic.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from shared.contracts import site_rules
from shared.contracts.site_rules import WrongSiteKind, establishment_id_for, site_id_for  # noqa: F401  (re-exported)
from shared.kit.errors import Conflict, InvalidInput, NotFound
from shared.kit.values import coarse  # noqa: F401  (re-exported: the domain coarsens locations)

REFORM_DATE = date(2025, 7, 1)  # NQ 1656/NQ-UBTVQH15: districts abolished, new communes/wards
REFORM_BASIS = "NQ 1656/NQ-UBTVQH15 (16/06/2025)"


# -- vocabulary ------------------------------------------------------------------------------------
class SiteKind(str, Enum):
    CRAFT_VILLAGE = "craft_village"
    INDUSTRIAL_ZONE = "industrial_zone"
    INDUSTRIAL_CLUSTER = "industrial_cluster"


class TradeGroup(str, Enum):
    AGRO_FOOD = "agro_food"
    HANDICRAFT = "handicraft"
    WOOD_RATTAN_CERAMICS_GLASS_TEXTILE_MECHANICS = "wood_rattan_ceramics_glass_textile_mechanics"
    ORNAMENTAL_PLANTS = "ornamental_plants"
    MATERIALS = "materials"
    SERVICES = "services"


class WwtpStatus(str, Enum):
    NONE = "none"
    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    OPERATING = "operating"
    IDLE = "idle"


class PollutionLevel(str, Enum):
    SEVERE = "severe"            # ô nhiễm nghiêm trọng
    POLLUTED = "polluted"        # ô nhiễm
    NOT_POLLUTED = "not_polluted"  # không ô nhiễm


class ConditionItem(str, Enum):
    """Law on Environmental Protection 2020, Art. 56 (craft-village conditions)."""

    PROTECTION_PLAN = "protection_plan"            # phương án BVMT
    SELF_MANAGEMENT_GROUP = "self_management_group"  # tổ chức tự quản về BVMT
    DRAINAGE = "drainage"                          # thu gom nước thải, nước mưa
    CENTRAL_WWTP = "central_wwtp"                  # xử lý nước thải tập trung (where one exists)
    SOLID_WASTE_POINT = "solid_waste_point"        # điểm tập kết chất thải rắn


class ConditionState(str, Enum):
    MET = "met"
    NOT_MET = "not_met"
    IN_PROGRESS = "in_progress"
    NOT_APPLICABLE = "not_applicable"


class EstablishmentForm(str, Enum):
    ENTERPRISE = "enterprise"
    HOUSEHOLD = "household"


class PermitType(str, Enum):
    GPMT = "GPMT"    # giấy phép môi trường
    DKMT = "DKMT"    # đăng ký môi trường
    NONE = "none"


class LinkRole(str, Enum):
    BUSINESS = "business"
    TRANSPORTER = "transporter"
    TREATMENT_FACILITY = "treatment_facility"
    INSPECTOR = "inspector"
    AGENCY = "agency"


ESTABLISHMENT_LINK_ROLES = {LinkRole.BUSINESS, LinkRole.TRANSPORTER, LinkRole.TREATMENT_FACILITY}


# -- errors ----------------------------------------------------------------------------------------
class SiteNotFound(NotFound):
    pass


class SiteInactive(Conflict):
    pass


# -- aggregates ------------------------------------------------------------------------------------
class Site(Aggregate):
    AMENDABLE = ("name", "trade", "trade_group", "location", "households", "area_ha", "craft_village_cluster")

    @staticmethod
    def create_id(reference_key: str | None = None) -> UUID:
        """Reference data (the seed) gets stable ids; other sites random ones."""
        return site_id_for(reference_key) if reference_key else uuid4()

    @event("Registered")
    def __init__(self, kind: str, name: str, trade: str | None, trade_group: str | None,
                 craft_village_cluster: bool, old_district: str | None, old_commune: str | None,
                 commune: str | None, location: dict | None, households: int | None, area_ha: float | None,
                 reference_key: str | None, source: str | None, confidence: str | None, actor: dict) -> None:
        self.kind = kind
        self.name = name
        self.trade = trade
        self.trade_group = trade_group
        self.craft_village_cluster = craft_village_cluster
        self.location = location
        self.households = households
        self.area_ha = area_ha
        self.reference_key = reference_key
        self.source = source
        self.confidence = confidence
        self.jurisdictions: list[dict] = [
            {"effective": None, "old_district": old_district, "old_commune": old_commune, "commune": None}
        ]
        if commune:
            self.jurisdictions.append(
                {"effective": REFORM_DATE.isoformat(), "old_district": None, "old_commune": None, "commune": commune}
            )
        self.recognition: dict | None = None
        self.classifications: list[dict] = []
        self.conditions: dict[str, dict] = {}
        self.wwtp: dict | None = None
        self.active = True
        self.deactivation_reason: str | None = None
        self.withdrawal: dict | None = None  # recognition withdrawn (RecognitionWithdrawn)

    @classmethod
    def check_registration(cls, kind: str, old_district: str | None, commune: str | None,
                           craft_village_cluster: bool) -> None:
        site_rules.check_registration(kind, old_district, commune, craft_village_cluster)

    # -- checks
    def check_active(self) -> None:
        if not self.active:
            raise SiteInactive(f"site {self.name} is deactivated; reactivation is not supported", "site_id", "active")

    def check_kind(self, field: str, *kinds: SiteKind) -> None:
        if self.kind not in {k.value for k in kinds}:
            allowed = ", ".join(k.value for k in kinds)
            raise WrongSiteKind(f"{field} applies to {allowed} only; {self.name} is a {self.kind}", field, "kind")

    # -- commands
    @event("Amended")
    def amend(self, changes: dict, actor: dict, source: str | None = None) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        if source:  # the latest source of the record (each event keeps its own)
            self.source = source

    @event("Recognised")
    def recognise(self, decision: str, recognised_on: str, legal_basis: str, actor: dict) -> None:
        self.recognition = {"decision": decision, "date": recognised_on, "legal_basis": legal_basis}
        self.withdrawal = None  # recognised again after a withdrawal

    def check_withdrawable(self, effective: date) -> None:
        """Only a recognised village loses its title, once, not before it was recognised."""
        if self.recognition is None:
            raise InvalidInput(f"{self.name} is not a recognised craft village", "site_id", "recognised")
        if getattr(self, "withdrawal", None):
            raise Conflict(f"the recognition of {self.name} was already withdrawn by {self.withdrawal['decision']}",
                           "site_id", "withdrawn")
        since = self.recognition.get("date")
        if since and effective.isoformat() < since:
            raise InvalidInput(f"a withdrawal cannot take effect before the recognition ({since})",
                               "effective", "after_recognition")

    @event("RecognitionWithdrawn")
    def withdraw_recognition(self, decision: str, effective: str, legal_basis: str, reason: str | None,
                             actor: dict) -> None:
        self.withdrawal = {"decision": decision, "effective": effective, "legal_basis": legal_basis, "reason": reason}

    @event("Classified")
    def classify(self, classified_on: str, water: str, air: str, soil: str, hanoi_list: int | None,
                 assessor: str, legal_basis: str, actor: dict) -> None:
        self.classifications.append({
            "date": classified_on, "water": water, "air": air, "soil": soil,
            "hanoi_list": hanoi_list, "assessor": assessor, "legal_basis": legal_basis,
        })
        self.classifications.sort(key=lambda c: c["date"])

    @event("ConditionSet")
    def set_condition(self, item: str, state: str, evidence: str | None, checked_on: str,
                      legal_basis: str, actor: dict, evidence_file: str | None = None) -> None:
        self.conditions[item] = {"state": state, "evidence": evidence, "date": checked_on, "legal_basis": legal_basis,
                                 "evidence_file": evidence_file}

    @event("WwtpStatusSet")
    def set_wwtp(self, status: str, capacity_m3_day: float | None, auto_monitoring: bool | None,
                 since: str | None, note: str | None, actor: dict) -> None:
        self.wwtp = {"status": status, "capacity_m3_day": capacity_m3_day, "auto_monitoring": auto_monitoring,
                     "since": since, "note": note}

    @event("JurisdictionChanged")
    def change_jurisdiction(self, commune: str, effective: str, legal_basis: str, actor: dict) -> None:
        self.jurisdictions = [j for j in self.jurisdictions if j["effective"] != effective]
        self.jurisdictions.append({"effective": effective, "old_district": None, "old_commune": None, "commune": commune})
        self.jurisdictions.sort(key=lambda j: j["effective"] or "")

    @event("Deactivated")
    def deactivate(self, reason: str, actor: dict) -> None:
        self.active = False
        self.deactivation_reason = reason

    # -- queries
    @property
    def old_unit(self) -> dict:
        return self.jurisdictions[0]

    def jurisdiction_on(self, on: date) -> dict:
        """Old district + old commune before the reform, the new commune/ward after it."""
        current = self.jurisdictions[0]
        for j in self.jurisdictions[1:]:
            if j["effective"] <= on.isoformat():
                current = j
        return current

    @property
    def commune(self) -> str | None:
        communes = [j["commune"] for j in self.jurisdictions if j["commune"]]
        return communes[-1] if communes else None

    @property
    def place_code(self) -> str | None:
        return self.commune or self.old_unit["old_district"]

    def has_jurisdiction(self, commune: str, effective: str) -> bool:
        return any(j["effective"] == effective and j["commune"] == commune for j in self.jurisdictions)

    @property
    def conditions_met(self) -> bool:
        """All five Art. 56 conditions met (the central WWTP item may be not applicable), as the
        indicators count a village meeting the conditions."""
        def ok(item: ConditionItem) -> bool:
            state = (self.conditions.get(item.value) or {}).get("state")
            return state == ConditionState.MET or (
                item == ConditionItem.CENTRAL_WWTP and state == ConditionState.NOT_APPLICABLE)
        return all(ok(item) for item in ConditionItem)


class Establishment(Aggregate):
    AMENDABLE = ("name", "trades", "permit", "hw_generator", "transporter", "treatment_facility", "licence")

    @staticmethod
    def create_id(site_id: UUID, registration_code: str) -> UUID:
        return establishment_id_for(site_id, registration_code)

    @event("Registered")
    def __init__(self, site_id: UUID, name: str, form: str, registration_code: str, trades: list[str],
                 permit: dict | None, hw_generator: bool, transporter: bool, treatment_facility: bool,
                 licence: dict | None, actor: dict, source: str | None = None) -> None:
        self.site_id = site_id
        self.source = source
        self.name = name
        self.form = form
        self.registration_code = registration_code
        self.trades = trades
        self.permit = permit
        self.hw_generator = hw_generator
        self.transporter = transporter
        self.treatment_facility = treatment_facility
        self.licence = licence
        self.active = True

    @staticmethod
    def check_licence(transporter: bool, treatment_facility: bool, licence: dict | None) -> None:
        site_rules.check_licence(transporter, treatment_facility, licence)

    def check_active(self) -> None:
        if not self.active:
            raise Conflict(f"establishment {self.name} is deactivated", "establishment_id", "active")

    @event("Amended")
    def amend(self, changes: dict, actor: dict, source: str | None = None) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        if source:
            self.source = source

    @event("Deactivated")
    def deactivate(self, reason: str, actor: dict) -> None:
        self.active = False


# the link codes' aggregates live in linkcodes.py (re-exported here: stored v1 events name this module)
from services.sites.linkcodes import (  # noqa: E402
    PRIVATE_AGGREGATES, LinkAttemptsExceeded, LinkCode, LinkCodeIndex, LinkCodeRejected, RedeemGuard,
)

AGGREGATES: tuple[type[Aggregate], ...] = (Site, Establishment, LinkCode, LinkCodeIndex, RedeemGuard)

"""The domain's words have one source, shared/vocabulary.py: the domain models use its enums, the
contracts derive their Literal types from it, and the gateway's and the bot's lists are made of it.
The kit, the contracts and the vocabulary never import services/ (the import runs the other way)."""
import ast
from pathlib import Path
from typing import get_args

from shared import vocabulary as v
from shared.contracts import inspections as ci, manifests as cm, open311
from services.inspections import domainmodel as di
from services.manifests import domainmodel as dm

ROOT = Path(__file__).resolve().parents[2]


def test_the_contracts_and_the_domain_models_use_the_one_vocabulary():
    for contract, enum in ((ci.Category, v.Category), (ci.Priority, v.Priority), (ci.IncidentState, v.IncidentState),
                           (ci.InspectionKind, v.InspectionKind), (ci.InspectionState, v.InspectionState),
                           (ci.OffenderType, v.OffenderType), (ci.ViolationState, v.ViolationState),
                           (cm.ManifestState, v.ManifestState)):
        assert get_args(contract) == v.values(enum)
    assert (di.Category, di.Priority, di.IncidentState, di.ViolationState) == (v.Category, v.Priority, v.IncidentState,
                                                                               v.ViolationState)
    assert (dm.ManifestState, dm.DiscrepancyState) == (v.ManifestState, v.DiscrepancyState)
    assert open311.OPEN_STATES | open311.CLOSED_STATES == set(v.values(v.IncidentState))
    assert di.INCIDENT_STEPS.steps["add_information"].states == v.INFORMATION_STATES


def test_the_gateways_and_the_bots_lists_are_the_vocabularys():
    from bot.flows.mine import OPEN_FOR_INFO
    from services.gateway.staff import inbox_actions, inspections, manifests

    assert OPEN_FOR_INFO == v.INFORMATION_STATES
    assert sorted(inbox_actions.STATES) == sorted(v.values(v.IncidentState))  # its own order: the open ones first
    assert set(inbox_actions.OPEN_STATES) == v.OPEN_INCIDENT_STATES
    assert inbox_actions.options()["categories"] == list(v.values(v.Category))
    assert inbox_actions.options()["priorities"] == list(v.values(v.Priority))
    assert inspections.STATES == v.values(v.InspectionState) and manifests.STATES == v.values(v.ManifestState)


def test_the_kit_the_contracts_and_the_vocabulary_never_import_services():
    files = [ROOT / "shared" / "vocabulary.py", *(ROOT / "shared" / "kit").rglob("*.py"),
             *(ROOT / "shared" / "contracts").rglob("*.py")]
    wrong = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            wrong += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("services", "bot")]
    assert len(files) > 40 and not wrong


def test_the_gateways_reason_codes_and_registry_choices_are_the_contracts():
    """The staff forms offer the contracts' codes (derived, not written twice), in the order they showed."""
    from shared.contracts import sites as cs
    from shared.contracts.inspections_events import SYSTEM_CLOSING_CODES
    from services.gateway.staff import inbox_actions, registry_kit as rk

    options = inbox_actions.options()
    assert options["rejection_codes"] == list(get_args(ci.IncidentRejectionCode)) == [
        "duplicate", "outside_jurisdiction", "not_environmental", "insufficient_information", "unfounded", "abusive",
        "other"]
    assert options["closing_codes"] == ["resolved", "no_violation_found", "withdrawn", "duplicate", "other"]
    assert set(options["closing_codes"]) | set(SYSTEM_CLOSING_CODES) == set(get_args(ci.IncidentClosingCode))
    assert rk.KINDS == ("craft_village", "industrial_cluster", "industrial_zone")
    assert set(rk.KINDS) == set(get_args(cs.SiteKind))
    for choices, contract in ((rk.LEVELS, cs.PollutionLevel), (rk.WWTP, cs.WwtpStatus), (rk.ITEMS, cs.ConditionItem),
                              (rk.STATES, cs.ConditionState), (rk.TRADE_GROUPS, cs.TradeGroup),
                              (rk.PERMITS, cs.PermitType), (rk.FORMS, cs.EstablishmentForm)):
        assert choices == get_args(contract)
    assert rk.LINK_ROLES == ("business", "transporter", "treatment_facility") and set(rk.LINK_ROLES) <= set(
        get_args(cs.LinkRole))

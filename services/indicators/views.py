"""The facts the indicators are computed from, projected from the sites, inspections and
manifests streams with the kit's follower (one tracking row per source, in the same transaction
as the facts).

Facts are append-only with two times: `valid_from` (when it became true: a classification's date,
a WWTP's date, the reform's effective date, a hand-over) and `recorded_at` (when the stream said
so). A figure for quarter Q "as of" A uses the facts valid by the end of Q and recorded by A.
"""
from __future__ import annotations

import json
from datetime import datetime
from functools import singledispatchmethod
from typing import Any

from shared.contracts.base import PublicEvent
from shared.contracts.inspections import (
    IncidentAssigned, IncidentClosed, IncidentMerged, IncidentRejected, IncidentReopened, IncidentReported,
    IncidentResolved, IncidentTriaged, IncidentVerified, InspectionCancelled, InspectionConcluded,
    InspectionConducted, InspectionScheduled, ViolationClosed, ViolationEvidenceRejected,
    ViolationEvidenceSubmitted, ViolationRecorded, ViolationSanctionDecided)
from shared.contracts.manifests import (
    ManifestCancelled, ManifestCorrected, ManifestDrafted, ManifestReceived, ManifestRejected,
    ManifestSignedByGenerator, ManifestTreated)
from shared.contracts.sites import (
    EstablishmentRegistered, SiteAmended, SiteClassified, SiteConditionSet, SiteDeactivated,
    SiteJurisdictionChanged, SiteRecognised, SiteRegistered, SiteWwtpStatusSet)
from shared.contracts.sites_recognition import SiteRecognitionWithdrawn
from shared.kit.calendar import local_date
from shared.kit.dispatch import ContractProjection
from shared.kit.envelope import Received
from shared.kit.sql import Cursor
from services.indicators.facts_page import FactsPage

SITE_FACTS = ("recognised", "withdrawn", "classified", "wwtp", "active", "commune") + tuple(
    f"condition:{i}" for i in ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point"))


# The events that only move a case to a state: (kind of case, its new state).
CASE_MOVES: dict[type[PublicEvent], tuple[str, str]] = {
    IncidentRejected: ("incident", "rejected"), IncidentMerged: ("incident", "merged"),
    IncidentAssigned: ("incident", "assigned"), IncidentVerified: ("incident", "verified"),
    IncidentResolved: ("incident", "resolved"), IncidentReopened: ("incident", "reopened"),
    IncidentClosed: ("incident", "closed"),
    InspectionConcluded: ("inspection", "concluded"), InspectionCancelled: ("inspection", "cancelled"),
    ViolationSanctionDecided: ("violation", "sanction_decided"),
    ViolationEvidenceSubmitted: ("violation", "evidence_submitted"),
    ViolationEvidenceRejected: ("violation", "sanction_decided"), ViolationClosed: ("violation", "closed"),
}


def _day(value: str) -> str:
    """The Hanoi day of an instant (ISO text with its offset), or a day given as a day: the day an
    event counts on (an instant's UTC day is the day before for 17:00–24:00 UTC)."""
    if len(value) == 10:
        return value
    return local_date(datetime.fromisoformat(value.replace("Z", "+00:00"))).isoformat()


def _date(value: str | None, fallback: str) -> str:
    return _day(value or fallback)


class IndicatorFacts(ContractProjection):
    name = "indicator_facts"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:ind_site} (site_id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, "
        "cvc INTEGER NOT NULL, old_district TEXT, old_commune TEXT, registered_on TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL, event_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:ind_fact} (event_id TEXT NOT NULL, site_id TEXT NOT NULL, fact TEXT NOT NULL, "
        "value TEXT, valid_from TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (event_id, fact))",
        "CREATE TABLE IF NOT EXISTS {t:ind_est} (est_id TEXT PRIMARY KEY, site_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:ind_manifest} (manifest_id TEXT PRIMARY KEY, generator_id TEXT NOT NULL, "
        "lines TEXT NOT NULL, handed_over_on TEXT, handed_over_recorded TEXT, handed_over_kg DOUBLE PRECISION, "
        "treated_on TEXT, treated_recorded TEXT, treated_kg DOUBLE PRECISION, measured_kg DOUBLE PRECISION, "
        "state TEXT NOT NULL, event_ids TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:ind_case} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, site_id TEXT, "
        "state TEXT NOT NULL, on_date TEXT, detail TEXT)",
        "CREATE INDEX IF NOT EXISTS ind_manifest_generator ON {t:ind_manifest} (generator_id)",  # a site's manifests
    )

    # -- projection: one handler per contract class (shared/kit/dispatch.py) ---------------------------
    # `event` is the contract instance, `got` its envelope: `got.data` the JSON as published (the
    # values stored), `got.subject` the site, manifest or case, `got.time` when the stream said so.
    # Handlers write to the transaction's `FactsPage` (services/indicators/facts_page.py: batched).
    def project_page(self, cur: Cursor, prepared: list) -> None:
        page = FactsPage(cur)
        subjects: dict[str, list[str]] = {"manifests": [], "inspections": []}
        for got in prepared:
            if isinstance(got, Received) and got.type.service in subjects:
                subjects[got.type.service].append(got.subject)
        page.manifests.load(cur, subjects["manifests"])  # every row the events change, read at once
        page.cases.load(cur, subjects["inspections"])
        handler = vars(IndicatorFacts)["on"].dispatcher.dispatch  # `self.on` makes a bound method per call
        for item in prepared:
            if isinstance(item, Received):
                handler(type(item.event))(self, item.event, page, item)
            else:
                self.unknown_event(cur, *item)
        page.write()

    def project_event(self, cur: Cursor, got: Received) -> None:
        self.project_page(cur, [got])

    @singledispatchmethod
    def on(self, event: PublicEvent, page: FactsPage, got: Received) -> None:
        """An event no indicator is computed from (e.g. a plan item, an overdue notice)."""

    def _fact(self, page: FactsPage, got: Received, fact: str, value: Any, valid_from: str) -> None:
        page.insert("INSERT INTO {t:ind_fact} (event_id, site_id, fact, value, valid_from, recorded_at) "
                    "VALUES (%s,%s,%s,%s,%s,%s)",
                    (got.id, got.subject, fact, None if value is None else str(value), valid_from, got.time))

    # sites
    @on.register
    def _site_registered(self, event: SiteRegistered, page: FactsPage, got: Received) -> None:
        d, t = got.data, got.time
        page.insert("INSERT INTO {t:ind_site} (site_id, kind, name, cvc, old_district, old_commune, registered_on, "
                    "recorded_at, event_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    (got.subject, d["kind"], d["name"], int(bool(d.get("craft_village_cluster"))), d.get("old_district"),
                     d.get("old_commune"), _day(t), t, got.id))
        self._fact(page, got, "active", 1, "0000-01-01")
        if d.get("commune"):
            self._fact(page, got, "commune", d["commune"], "2025-07-01")

    @on.register
    def _site_amended(self, event: SiteAmended, page: FactsPage, got: Received) -> None:
        changes = got.data.get("changes") or {}
        if "name" in changes:
            page.update("UPDATE {t:ind_site} SET name=%s WHERE site_id=%s", (changes["name"], got.subject))
        if "craft_village_cluster" in changes:
            page.update("UPDATE {t:ind_site} SET cvc=%s WHERE site_id=%s",
                        (int(bool(changes["craft_village_cluster"])), got.subject))

    @on.register
    def _site_recognised(self, event: SiteRecognised, page: FactsPage, got: Received) -> None:
        d = got.data
        self._fact(page, got, "recognised", d.get("decision") or "yes", _date(d.get("recognised_on"), "0000-01-01"))

    @on.register
    def _site_recognition_withdrawn(self, event: SiteRecognitionWithdrawn, page: FactsPage, got: Received) -> None:
        """Valid from the decision's effective date: the village leaves the denominators then."""
        self._fact(page, got, "withdrawn", got.data["decision"], _date(got.data["effective"], got.time))

    @on.register
    def _site_classified(self, event: SiteClassified, page: FactsPage, got: Received) -> None:
        self._fact(page, got, "classified", got.data["classified_on"], got.data["classified_on"])

    @on.register
    def _site_condition_set(self, event: SiteConditionSet, page: FactsPage, got: Received) -> None:
        d = got.data
        self._fact(page, got, f"condition:{d['item']}", d["state"], d["checked_on"])

    @on.register
    def _site_wwtp_status_set(self, event: SiteWwtpStatusSet, page: FactsPage, got: Received) -> None:
        self._fact(page, got, "wwtp", got.data["status"], _date(got.data.get("since"), got.time))

    @on.register
    def _site_jurisdiction_changed(self, event: SiteJurisdictionChanged, page: FactsPage, got: Received) -> None:
        self._fact(page, got, "commune", got.data["commune"], got.data["effective"])

    @on.register
    def _site_deactivated(self, event: SiteDeactivated, page: FactsPage, got: Received) -> None:
        self._fact(page, got, "active", 0, _day(got.time))

    @on.register
    def _establishment_registered(self, event: EstablishmentRegistered, page: FactsPage, got: Received) -> None:
        page.insert("INSERT INTO {t:ind_est} (est_id, site_id) VALUES (%s,%s)", (got.subject, got.data["site_id"]))

    # manifests
    def _update(self, page: FactsPage, got: Received, **fields: Any) -> None:
        row = page.manifest(got.subject)
        if row is None:
            return
        page.manifests.update(got.subject, dict(fields, event_ids=json.dumps(json.loads(row["event_ids"]) + [got.id])))

    @on.register
    def _manifest_drafted(self, event: ManifestDrafted, page: FactsPage, got: Received) -> None:
        page.manifests.insert({"manifest_id": got.subject, "generator_id": got.data["generator_id"],
                               "lines": json.dumps(got.data["lines"]), "state": "draft",
                               "event_ids": json.dumps([got.id])})

    @on.register
    def _manifest_corrected(self, event: ManifestCorrected, page: FactsPage, got: Received) -> None:
        d = got.data
        if d.get("lines"):
            row = page.manifest(got.subject)
            kg = sum(x["quantity_kg"] for x in d["lines"] if not x.get("rejected"))
            self._update(page, got, lines=json.dumps(d["lines"]),
                         handed_over_kg=kg if row and row["handed_over_on"] else None)

    @on.register
    def _manifest_signed_by_generator(self, event: ManifestSignedByGenerator, page: FactsPage, got: Received) -> None:
        row = page.manifest(got.subject)
        if row is not None:
            kg = sum(x["quantity_kg"] for x in json.loads(row["lines"]) if not x.get("rejected"))
            self._update(page, got, handed_over_on=_day(got.data["at"]), handed_over_recorded=got.time,
                         handed_over_kg=kg, state="handed_over")

    @on.register
    def _manifest_rejected(self, event: ManifestRejected, page: FactsPage, got: Received) -> None:
        row, d = page.manifest(got.subject), got.data
        if row is not None:
            lines = [dict(x, rejected=x.get("rejected") or x["line"] in d["lines"]) for x in json.loads(row["lines"])]
            kg = sum(x["quantity_kg"] for x in lines if not x["rejected"])
            self._update(page, got, lines=json.dumps(lines), handed_over_kg=kg if row["handed_over_on"] else None,
                         state="rejected" if d["full"] else row["state"])

    @on.register
    def _manifest_received(self, event: ManifestReceived, page: FactsPage, got: Received) -> None:
        self._update(page, got, measured_kg=sum(x["quantity_kg"] for x in got.data["measured"]), state="received")

    @on.register
    def _manifest_treated(self, event: ManifestTreated, page: FactsPage, got: Received) -> None:
        row = page.manifest(got.subject)
        if row is not None:
            self._update(page, got, treated_on=got.data["treated_on"], treated_recorded=got.time,
                         treated_kg=row["measured_kg"] or 0.0, state="treated")

    @on.register
    def _manifest_cancelled(self, event: ManifestCancelled, page: FactsPage, got: Received) -> None:
        self._update(page, got, state="cancelled")

    # inspections (for the status card)
    def _case(self, page: FactsPage, got: Received, kind: str, site_id: str | None = None, state: str | None = None,
              on_date: str | None = None, detail: dict | None = None) -> None:
        """A case's row: inserted ("open" when no state is given), else each value given replaces
        the stored one (the others stay)."""
        text = json.dumps(detail) if detail else None
        if page.case(got.subject) is None:
            page.cases.insert({"id": got.subject, "kind": kind, "site_id": site_id, "state": state or "open",
                               "on_date": on_date, "detail": text})
            return
        given = {"site_id": site_id, "state": state, "on_date": on_date, "detail": text}
        page.cases.update(got.subject, {k: v for k, v in given.items() if v is not None})

    @on.register
    def _incident_reported(self, event: IncidentReported, page: FactsPage, got: Received) -> None:
        self._case(page, got, "incident", got.data.get("site_id"), "reported",
                   _date(got.data.get("reported_at"), got.time))

    @on.register
    def _incident_triaged(self, event: IncidentTriaged, page: FactsPage, got: Received) -> None:
        self._case(page, got, "incident", got.data.get("site_id"), "triaged")

    @on.register
    def _inspection_scheduled(self, event: InspectionScheduled, page: FactsPage, got: Received) -> None:
        self._case(page, got, "inspection", got.data["site_id"], "scheduled", got.data["scheduled_for"])

    @on.register
    def _inspection_conducted(self, event: InspectionConducted, page: FactsPage, got: Received) -> None:
        self._case(page, got, "inspection", None, "conducted", got.data["conducted_on"])

    @on.register
    def _violation_recorded(self, event: ViolationRecorded, page: FactsPage, got: Received) -> None:
        d = got.data
        self._case(page, got, "violation", d["site_id"], "recorded", _day(got.time),
                   {"measures": d["remedial_measures"], "fine_vnd": d["fine_vnd"], "basis": d["legal_basis"]["code"]})

    @on.register(IncidentRejected)
    @on.register(IncidentMerged)
    @on.register(IncidentAssigned)
    @on.register(IncidentVerified)
    @on.register(IncidentResolved)
    @on.register(IncidentReopened)
    @on.register(IncidentClosed)
    @on.register(InspectionConcluded)
    @on.register(InspectionCancelled)
    @on.register(ViolationSanctionDecided)
    @on.register(ViolationEvidenceSubmitted)
    @on.register(ViolationEvidenceRejected)
    @on.register(ViolationClosed)
    def _case_moved(self, event: PublicEvent, page: FactsPage, got: Received) -> None:
        """An event that only moves a case (incident, inspection, violation) to a state (CASE_MOVES)."""
        kind, state = CASE_MOVES[type(event)]
        self._case(page, got, kind, None, state)

    # -- reset per source ------------------------------------------------------------------------
    def reset(self, source: str) -> None:
        """Forget one source's tracking and what it contributed (a rebuild pulls it from zero)."""
        tables = {"sites": ("ind_site", "ind_fact", "ind_est"), "manifests": ("ind_manifest",),
                  "inspections": ("ind_case",)}[source]
        with self.db.transaction() as cur:
            self.view.delete_tracking(source, cur)
            for table in tables:
                cur.execute(f"DELETE FROM {{t:{table}}}")

    # -- queries used by the application ---------------------------------------------------------
    def version(self) -> tuple:
        """Where the facts stand: the tracking position of every source (facts change only with it)."""
        return tuple(self.view.max_tracking_ids().items())

    def latest_recorded(self) -> str:
        """The latest instant any fact was recorded at ('' when there is none)."""
        rows = self.rows(
            "SELECT MAX(recorded_at) AS m FROM {t:ind_site} UNION ALL SELECT MAX(recorded_at) FROM {t:ind_fact} "
            "UNION ALL SELECT MAX(handed_over_recorded) FROM {t:ind_manifest} "
            "UNION ALL SELECT MAX(treated_recorded) FROM {t:ind_manifest}")
        return max((r["m"] for r in rows if r["m"]), default="")

    def sites(self) -> list[dict]:
        return self.rows("SELECT * FROM {t:ind_site} ORDER BY name, site_id")

    def facts(self, valid_by: str, recorded_by: str) -> list[dict]:
        """Every fact valid by a date and recorded by an instant, oldest first."""
        return self.rows("SELECT * FROM {t:ind_fact} WHERE valid_from <= %s AND recorded_at <= %s "
                         "ORDER BY valid_from, recorded_at, event_id", (valid_by, recorded_by))

    def establishments(self) -> dict[str, str]:
        return {r["est_id"]: r["site_id"] for r in self.rows("SELECT * FROM {t:ind_est}")}

    def manifests(self) -> list[dict]:
        return self.rows("SELECT * FROM {t:ind_manifest} ORDER BY manifest_id")

    def manifests_of(self, generator_ids: list[str]) -> list[dict]:
        """The manifests of these generators (a site's establishments)."""
        if not generator_ids:
            return []
        marks = ",".join(["%s"] * len(generator_ids))
        return self.rows(f"SELECT * FROM {{t:ind_manifest}} WHERE generator_id IN ({marks}) ORDER BY manifest_id",
                         list(generator_ids))

    def cases(self, site_id: str) -> list[dict]:
        return self.rows("SELECT * FROM {t:ind_case} WHERE site_id=%s ORDER BY on_date, id", (site_id,))

    def events(self, event_ids: list[str]) -> list[dict]:
        """What each of these events set: a site's registration or a fact (oldest first)."""
        if not event_ids:
            return []
        marks = ",".join(["%s"] * len(event_ids))
        regs = self.rows(f"SELECT event_id, site_id, registered_on AS valid_from, recorded_at FROM {{t:ind_site}} "
                         f"WHERE event_id IN ({marks})", list(event_ids))
        facts = self.rows(f"SELECT event_id, site_id, fact, value, valid_from, recorded_at FROM {{t:ind_fact}} "
                          f"WHERE event_id IN ({marks})", list(event_ids))
        out = [dict(r, fact="registered", value=None) for r in regs] + facts
        return sorted(out, key=lambda r: (r["recorded_at"], r["event_id"], r["fact"]))

    def dump(self) -> dict:
        """Every table, for comparing a rebuild with the incremental state."""
        return {t: self.rows(f"SELECT * FROM {{t:{t}}} ORDER BY 1, 2")
                for t in ("ind_site", "ind_fact", "ind_est", "ind_manifest", "ind_case")}

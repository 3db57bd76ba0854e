"""Reports establishments owe (issue 16), a mixin of InspectionsApplication: documents in, the
annual report and monitoring results filed per establishment and year, the reports owed and
overdue. Rules and sources: services/inspections/reports_model.py; the document's checks:
services/inspections/documents.py.

Who may file: staff (inspector, agency, admin: a report handed in on paper) and the
establishment's own linked accounts (business, transporter, treatment facility: the actor's
`establishment`, set by the gateway/bot from the redeemed link code) for their establishment only.

A document is stored in the inspections blob store, whose photo garbage collector deletes any blob
no event of the log references once past its grace period. Filing therefore claims the blob first
(renews its mtime, as _check_photos does for photos), then re-reads and re-judges it, and the
filing's event carries its sha256, which the collector's references pick up.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from shared.kit.actor import ESTABLISHMENT_ROLES, Actor, Role
from shared.kit.blobs import HASH
from shared.kit.calendar import local_date
from shared.kit.errors import Forbidden, InvalidInput, NotFound
from shared.kit.values import parse_uuid as _uuid, plain as as_plain
from services.inspections import documents as docs
from services.inspections import limits
from services.inspections.reports_model import (
    DUE_RULE, MONITORING_DUE_BLOCKED, PRIVATE_AGGREGATES, ReportingDuty, ReportingYear, check_report_year, due_before,
    report_form,
)

STAFF = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
INFRASTRUCTURE_KINDS = ("industrial_zone", "industrial_cluster")


def evaluate_results(app: Any, establishment_id: str, samples: list[dict], on: date) -> tuple[list[dict], bool]:
    """Monitoring samples against the limits in force for this establishment on the sampling day
    (services/inspections/limits.py: the table its permit's terms choose, and why; its own stricter
    limits win). Refused whole, nothing recorded, when that table cannot evaluate them."""
    rows = limits.evaluated_for_record(app.limits, app.facility(establishment_id), on, samples)
    return rows, any(r.get("exceeds") for r in rows)


class ReportCommands:
    """Mixed into InspectionsApplication (uses its repository, ports, clock and helpers)."""

    private_aggregates = PRIVATE_AGGREGATES

    # -- who --------------------------------------------------------------------------------------
    def _filer(self, actor: Actor, establishment_id: str) -> dict:
        """The establishment, when `actor` may file for it."""
        actor.require(*STAFF, *ESTABLISHMENT_ROLES, action="file an establishment's report")
        est = self._known_establishment(establishment_id)  # type: ignore[attr-defined]
        if actor.role in ESTABLISHMENT_ROLES and actor.establishment != est["id"]:
            raise Forbidden("an establishment's account files only its own establishment's reports",
                            "actor.establishment", "owner")
        if not est.get("active", True):
            raise InvalidInput("the establishment is deactivated", "establishment_id", "active")
        return est

    # -- documents --------------------------------------------------------------------------------
    def store_report_document(self, actor: Actor, data: bytes) -> dict:
        """Judge a document by its content and store it; answers its reference for a filing."""
        actor.require(*STAFF, *ESTABLISHMENT_ROLES, action="store a report document")
        if actor.role in ESTABLISHMENT_ROLES and not actor.establishment:
            raise Forbidden("link the account to its establishment first", "actor.establishment", "required")
        kind = docs.document_kind(data)
        return docs.describe(self.blobs.put(data), kind, len(data))  # type: ignore[attr-defined]

    def _claim_document(self, digest: str) -> dict:
        if not isinstance(digest, str) or not HASH.match(digest):
            raise InvalidInput("a document is referenced by its sha256", docs.FIELD, "sha256")
        if not self.blobs.claim(digest):  # type: ignore[attr-defined]
            raise NotFound(f"document {digest[:12]}… was not uploaded (store it first)", docs.FIELD, "exists")
        data = self.blobs.get(digest)  # type: ignore[attr-defined]
        return docs.describe(digest, docs.document_kind(data), len(data))  # a photo's sha256 is refused here

    def _year(self, est: dict, year: int, actor: Actor) -> ReportingYear:
        found = self.get_or_none(ReportingYear.create_id(est["id"], year))  # type: ignore[attr-defined]
        return found or ReportingYear(establishment_id=_uuid(est["id"], "establishment_id"),
                                      site_id=_uuid(est["site_id"], "site_id"), year=year, actor=actor.to_dict())

    def _infrastructure_owner(self, establishment_id: str) -> bool:
        duty = self.get_or_none(ReportingDuty.create_id(establishment_id))  # type: ignore[attr-defined]
        return bool(duty and duty.infrastructure_owner)

    # -- the annual report ------------------------------------------------------------------------
    def file_annual_report(self, actor: Actor, command_id: str | None, establishment_id: str, year: int,
                           document: str, note: str | None = None) -> dict:
        """The first filing for a year is the report (on time or late); a later one is a correction."""
        est = self._filer(actor, establishment_id)
        now = self.clock()  # type: ignore[attr-defined]
        check_report_year(year, local_date(now))
        doc = self._claim_document(document)
        due = due_before(year, self._infrastructure_owner(est["id"]))

        def work():  # type: ignore[no-untyped-def]
            record = self._year(est, year, actor)
            if record.annual is None:
                record.file_annual(document=doc, filed_at=now, due_before=due.isoformat(),
                                   late=local_date(now) >= due, actor=actor.to_dict())
            else:
                record.check_can_correct()
                record.correct_annual(document=doc, filed_at=now, note=(note or "").strip() or None,
                                      actor=actor.to_dict())
            return [record], {"id": str(record.id), "version": record.version, "year": year,
                              "due_before": record.annual["due_before"], "late": record.annual["late"],
                              "corrected": bool(record.corrections), "document": doc}

        return self.execute(command_id, work)  # type: ignore[attr-defined]

    def set_infrastructure_owner(self, actor: Actor, command_id: str | None, establishment_id: str,
                                 owner: bool) -> dict:
        """Staff record that an establishment owns its cluster's or zone's infrastructure (its annual
        report is due before 20 January instead of 15)."""
        actor.require(*STAFF, action="record who owns a cluster's infrastructure")
        est = self._known_establishment(establishment_id)  # type: ignore[attr-defined]
        site = self.directory.site(est["site_id"]) or {}  # type: ignore[attr-defined]
        if owner and site.get("kind") not in INFRASTRUCTURE_KINDS:
            raise InvalidInput("only an establishment in an industrial cluster or zone owns its infrastructure",
                               "owner", "cluster_or_zone")

        def work():  # type: ignore[no-untyped-def]
            duty = self.get_or_none(ReportingDuty.create_id(est["id"])) or ReportingDuty(  # type: ignore[attr-defined]
                establishment_id=_uuid(est["id"], "establishment_id"), actor=actor.to_dict())
            duty.set_infrastructure_owner(owner=owner, actor=actor.to_dict())
            return [duty], {"id": str(duty.id), "version": duty.version, "infrastructure_owner": owner}

        return self.execute(command_id, work)  # type: ignore[attr-defined]

    # -- monitoring results -----------------------------------------------------------------------
    def file_monitoring_results(self, actor: Actor, command_id: str | None, establishment_id: str,
                                sampled_on: date, samples: list[dict], ref: str | None = None,
                                document: str | None = None) -> dict:
        est = self._filer(actor, establishment_id)
        now = self.clock()  # type: ignore[attr-defined]
        if sampled_on > local_date(now):
            raise InvalidInput("samples cannot be taken in the future", "sampled_on", "not_future")
        if not samples:
            raise InvalidInput("monitoring results carry at least one sample", "samples", "required")
        rows, exceeded = evaluate_results(self, est["id"], samples, sampled_on)
        doc = self._claim_document(document) if document else None
        ref = (ref or "").strip() or sampled_on.isoformat()

        def work():  # type: ignore[no-untyped-def]
            record = self._year(est, sampled_on.year, actor)
            record.check_monitoring(ref)
            record.file_monitoring(ref=ref, sampled_on=sampled_on.isoformat(), samples=rows, exceeded=exceeded,
                                   document=doc, filed_at=now, actor=actor.to_dict())
            return [record], {"id": str(record.id), "version": record.version, "ref": ref, "exceeded": exceeded,
                              "samples": rows}

        return self.execute(command_id, work)  # type: ignore[attr-defined]

    # -- reads ------------------------------------------------------------------------------------
    def reporting_year(self, actor: Actor, establishment_id: str, year: int) -> dict:
        est = self._filer(actor, establishment_id)
        record = self.get_or_none(ReportingYear.create_id(est["id"], year))  # type: ignore[attr-defined]
        due = due_before(year, self._infrastructure_owner(est["id"]))
        today = local_date(self.clock())  # type: ignore[attr-defined]
        annual = record.annual if record else None
        return as_plain({"establishment_id": est["id"], "year": year, "due_before": due.isoformat(),
                         "annual": annual, "corrections": record.corrections if record else [],
                         "annual_overdue": annual is None and today >= due,  # owed with a GPMT or ĐKMT (owed_reports)
                         "monitoring": record.monitoring if record else [],
                         "monitoring_due": MONITORING_DUE_BLOCKED, "rule": DUE_RULE})

    def owed_reports(self, actor: Actor, year: int, on: date | None = None, overdue_only: bool = False) -> dict:
        """Who owes an annual report for `year` (a GPMT, an ĐKMT or a cluster's infrastructure),
        filed or not, overdue on `on` (default: today). Establishments whose permit the directory does
        not know are listed apart."""
        actor.require(*STAFF, Role.SYSTEM, action="list the reports establishments owe")
        listing = getattr(self.directory, "reporting_establishments", None)  # type: ignore[attr-defined]
        if listing is None:
            raise InvalidInput("the sites directory does not carry permits", "directory", "permits")
        today = on or local_date(self.clock())  # type: ignore[attr-defined]
        rows, unknown = [], []
        for est in listing():
            owner = self._infrastructure_owner(est["id"])
            form = report_form(est.get("permit_type"), owner)
            if form is None:
                if est.get("permit_amended"):
                    unknown.append({"establishment_id": est["id"], "name": est.get("name"), "site_id": est["site_id"]})
                continue
            row = self._owed_row(est, year, today, owner, form)
            if row["overdue"] or not overdue_only:
                rows.append(row)
        return {"year": year, "on": today.isoformat(), "rule": DUE_RULE, "rows": rows, "permit_unknown": unknown,
                "overdue": sum(1 for r in rows if r["overdue"]), "monitoring": MONITORING_DUE_BLOCKED}

    def _owed_row(self, est: dict, year: int, today: date, owner: bool, form: str) -> dict:
        record = self.get_or_none(ReportingYear.create_id(est["id"], year))  # type: ignore[attr-defined]
        annual = record.annual if record else None
        due = due_before(year, owner)
        return {"establishment_id": est["id"], "name": est.get("name"), "site_id": est["site_id"],
                "permit_type": est.get("permit_type"), "form": form, "infrastructure_owner": owner,
                "due_before": due.isoformat(), "filed": annual is not None,
                "filed_at": annual["filed_at"] if annual else None, "late": bool(annual and annual["late"]),
                "overdue": annual is None and today >= due}


__all__ = ["ReportCommands", "evaluate_results"]

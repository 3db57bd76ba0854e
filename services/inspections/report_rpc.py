"""The inspections service's RPCs for the reports establishments owe (issue 16): thin, as the
service class is; a mixin of InspectionsService (nameko finds inherited entrypoints, as it does
the kit's). Rules: services/inspections/reports.py; who may call: services/inspections/access.py."""
from __future__ import annotations

import base64
import binascii

from shared.contracts import reports as cr
from shared.kit.errors import InvalidInput
from shared.kit.nameko_glue import rpc_method


class ReportEntrypoints:
    @rpc_method(cr.StoreReportDocument)
    def store_report_document(self, cmd: cr.StoreReportDocument) -> dict:
        try:
            data = base64.b64decode(cmd.data_b64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("data_b64 is not valid base64", "data_b64", "base64") from None
        return self.app.store_report_document(self.actor, data)  # type: ignore[attr-defined]

    @rpc_method(cr.FileAnnualReport)
    def file_annual_report(self, cmd: cr.FileAnnualReport) -> dict:
        return self.app.file_annual_report(self.actor, cmd.command_id, str(cmd.establishment_id),  # type: ignore[attr-defined]
                                               cmd.year, cmd.document, cmd.note)

    @rpc_method(cr.SetInfrastructureOwner)
    def set_infrastructure_owner(self, cmd: cr.SetInfrastructureOwner) -> dict:
        return self.app.set_infrastructure_owner(self.actor, cmd.command_id,  # type: ignore[attr-defined]
                                                     str(cmd.establishment_id), cmd.owner)

    @rpc_method(cr.FileMonitoringResults)
    def file_monitoring_results(self, cmd: cr.FileMonitoringResults) -> dict:
        return self.app.file_monitoring_results(  # type: ignore[attr-defined]
            self.actor, cmd.command_id, str(cmd.establishment_id), cmd.sampled_on,  # type: ignore[attr-defined]
            [s.model_dump() for s in cmd.samples], cmd.ref, cmd.document)

    @rpc_method(cr.ReportingYearRef)
    def reporting_year(self, q: cr.ReportingYearRef) -> dict:
        return self.app.reporting_year(self.actor, str(q.establishment_id), q.year)  # type: ignore[attr-defined]

    @rpc_method(cr.OwedReports)
    def owed_reports(self, q: cr.OwedReports) -> dict:
        return self.app.owed_reports(self.actor, q.year, q.on, q.overdue_only)  # type: ignore[attr-defined]

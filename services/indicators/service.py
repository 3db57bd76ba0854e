"""The indicators nameko service: follows sites, inspections and manifests; answers figures,
the roadmap and status cards; issues immutable reports."""
from __future__ import annotations


from shared.contracts import indicators as c
from shared.kit.nameko_glue import ServiceKit, rpc_method
from shared.kit.providers import KitEntrypoints
from services.indicators.access import ACCESS
from services.indicators.bootstrap import SOURCES, bootstrap


class IndicatorsService(KitEntrypoints):
    name = "indicators"
    access = ACCESS  # services/indicators/access.py: the role × RPC matrix
    kit = ServiceKit("indicators", bootstrap, c.PUBLIC_EVENTS, follows=SOURCES)  # bootstrap.py: its composition

    @rpc_method(c.Figures)
    def figures(self, q: c.Figures) -> dict:
        figures = self.app.figures(q.period, q.as_of)
        if q.unit:
            figures = {q.unit: figures[q.unit]} if q.unit in figures else {}
        if not q.drill_down:
            figures = {u: {t: {k: v for k, v in f.items() if k not in ("sites", "left_out")} for t, f in ts.items()}
                       for u, ts in figures.items()}
        return figures

    @rpc_method(c.Roadmap)
    def roadmap(self, q: c.Roadmap) -> dict:
        road = self.app.roadmap(q.period)
        return {q.unit: road[q.unit]} if q.unit and q.unit in road else ({} if q.unit else road)

    @rpc_method(c.StatusCard)
    def status_card(self, q: c.StatusCard) -> dict:
        return self.app.status_card(q.site_id)

    @rpc_method(c.IssueReport)
    def issue_report(self, cmd: c.IssueReport) -> dict:
        return self.app.issue_report(self.actor, cmd.command_id, cmd.period, cmd.unit)

    @rpc_method(c.ReportRef)
    def get_report(self, q: c.ReportRef) -> dict:
        return self.app.get_report(q.report_id)

    @rpc_method(c.ReportRef)
    def diff_report(self, q: c.ReportRef) -> dict:
        return self.app.diff_report(q.report_id)

    # -- the staff workspace ---------------------------------------------------------------------
    @rpc_method(c.Targets)
    def targets(self, q: c.Targets) -> dict:
        return self.app.drill.targets(q.period, q.units)

    @rpc_method(c.DrillDown)
    def drill_down(self, q: c.DrillDown) -> dict:
        return self.app.drill.drill_down(q.period, q.unit, q.target)

    @rpc_method(c.SiteEvents)
    def site_events(self, q: c.SiteEvents) -> dict:
        return self.app.drill.site_events(q.period, q.unit, q.target, str(q.site_id))

    @rpc_method(c.ListReports)
    def list_reports(self, q: c.ListReports) -> dict:
        return self.app.drill.list_reports(q.period, q.unit, q.offset, q.limit, q.units)

    @rpc_method(c.CompareReports)
    def compare_reports(self, q: c.CompareReports) -> dict:
        return self.app.drill.compare_reports(str(q.report_id), str(q.earlier_id))

"""Reports establishments owe (issue 16): the annual environmental protection report (Circular
02/2022 form) and periodic monitoring results, recorded per establishment and year.

- `ReportingYear` (one per establishment and year): the annual report filed (its document, when,
  on time or late), corrections filed after it, and every monitoring filing of that year with its
  samples evaluated against the limit table in force on the sampling day.
- `ReportingDuty` (one per establishment): what the directory does not say — whether the
  establishment owns a cluster's or zone's infrastructure (its annual report is due later).

Due date (confidence M: three secondary sources, no official text read): Circular 02/2022
Art. 66(2) as corrected by QĐ 3323/QĐ-BTNMT (01/12/2022): "before 15 January" of the next year;
owners of a cluster's or zone's infrastructure "before 20 January" (the first text said 5
January). Read literally: the last day on time is the 14th (the 19th), local dates. Calendar
days: no source says the date moves when it falls on a holiday, so it never moves here.

Who owes one (Art. 66, secondary sources): an establishment with an environmental permit (GPMT,
Form 05.A) or an environmental registration (ĐKMT, Form 05.B); the owner of a cluster's or zone's
infrastructure (Form 06); not one exempt from registration (Decree 08 Art. 32: no permit). How often monitoring is due: no source read gives
it, so no monitoring filing is ever flagged overdue (MONITORING_DUE_BLOCKED).
"""
from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import InvalidInput
from services.inspections.domainmodel import NAMESPACE

FIRST_YEAR = 2022  # Circular 02/2022 in force from 10/01/2022: reports for 2022 on are its form
DUE_BEFORE_DAY = 15  # January (QĐ 3323/QĐ-BTNMT's correction; the first text said 5)
DUE_BEFORE_DAY_INFRASTRUCTURE = 20
FORMS = {"GPMT": "05.A", "DKMT": "05.B", "infrastructure": "06"}  # Phụ lục VI of Circular 02/2022
DUE_RULE = {"basis": "Circular 02/2022/TT-BTNMT Art. 66(2), corrected by QĐ 3323/QĐ-BTNMT (01/12/2022)",
            "confidence": "M", "note": "secondary sources agree (among them the MONRE newspaper's answer of "
                                       "20/12/2022 quoting the corrected text); the official text was not read",
            "source": "https://dttg.baotainguyenmoitruong.vn/quy-dinh-moi-nhat-ve-thoi-gian-gui-bao-cao-cong-tac-"
                      "bao-ve-moi-truong-348202.html",
            "holidays": "not shifted: no source says the date moves when it falls on a holiday"}
MONITORING_DUE_BLOCKED = {
    "status": "blocked",
    "reason": "no source read gives how often monitoring results are due (it depends on the permit and "
              "the establishment's scale): no monitoring filing is flagged overdue until that rule is loaded"}
MAX_MONITORING_A_YEAR = 60  # filings of monitoring results per establishment and year (a bound, not a rule)
MAX_CORRECTIONS = 10


def due_before(year: int, infrastructure_owner: bool = False) -> date:
    """The local date the annual report for `year` must be filed before."""
    return date(year + 1, 1, DUE_BEFORE_DAY_INFRASTRUCTURE if infrastructure_owner else DUE_BEFORE_DAY)


def report_form(permit_type: str | None, infrastructure_owner: bool) -> str | None:
    """The form an establishment's annual report follows, or None when it owes none."""
    if infrastructure_owner:
        return FORMS["infrastructure"]
    return FORMS.get(permit_type or "")


def check_report_year(year: int, today: date) -> None:
    """A report covers a year that has ended (or is in its last month: filed early, in December)."""
    if year < FIRST_YEAR:
        raise InvalidInput(f"annual reports on the Circular 02/2022 form cover {FIRST_YEAR} onwards", "year", "min")
    if year > today.year or (year == today.year and today.month < 12):
        raise InvalidInput(f"the annual report for {year} is filed once the year is over", "year", "ended")


class ReportingYear(Aggregate):
    """What one establishment has filed for one year."""

    @staticmethod
    def create_id(establishment_id: UUID | str, year: int) -> UUID:
        return uuid5(NAMESPACE, f"reporting-year:{establishment_id}:{year}")

    @event("Opened")
    def __init__(self, establishment_id: UUID, site_id: UUID, year: int, actor: dict) -> None:
        self.establishment_id = establishment_id
        self.site_id = site_id
        self.year = year
        self.annual: dict | None = None
        self.corrections: list[dict] = []
        self.monitoring: list[dict] = []

    @event("AnnualReportFiled")
    def file_annual(self, document: dict, filed_at: datetime, due_before: str, late: bool, actor: dict) -> None:
        self.annual = {"document": dict(document), "filed_at": filed_at.isoformat(), "due_before": due_before,
                       "late": late, "by": actor.get("role")}

    @event("AnnualReportCorrected")
    def correct_annual(self, document: dict, filed_at: datetime, note: str | None, actor: dict) -> None:
        self.corrections.append({"document": dict(document), "filed_at": filed_at.isoformat(), "note": note,
                                 "by": actor.get("role")})

    def check_can_correct(self) -> None:
        if len(self.corrections) >= MAX_CORRECTIONS:
            raise InvalidInput(f"at most {MAX_CORRECTIONS} corrections of one annual report", "document", "max_items")

    def check_monitoring(self, ref: str) -> None:
        if any(m["ref"] == ref for m in self.monitoring):
            raise InvalidInput(f"monitoring results {ref!r} are already filed for {self.year}", "ref", "unique")
        if len(self.monitoring) >= MAX_MONITORING_A_YEAR:
            raise InvalidInput(f"at most {MAX_MONITORING_A_YEAR} monitoring filings a year", "ref", "max_items")

    @event("MonitoringResultsFiled")
    def file_monitoring(self, ref: str, sampled_on: str, samples: list[dict], exceeded: bool,
                        document: dict | None, filed_at: datetime, actor: dict) -> None:
        self.monitoring.append({"ref": ref, "sampled_on": sampled_on, "samples": list(samples), "exceeded": exceeded,
                                "document": dict(document) if document else None, "filed_at": filed_at.isoformat(),
                                "by": actor.get("role")})


class ReportingDuty(Aggregate):
    """Staff's record of what changes an establishment's due date."""

    @staticmethod
    def create_id(establishment_id: UUID | str) -> UUID:
        return uuid5(NAMESPACE, f"reporting-duty:{establishment_id}")

    @event("Opened")
    def __init__(self, establishment_id: UUID, actor: dict) -> None:
        self.establishment_id = establishment_id
        self.infrastructure_owner = False

    @event("InfrastructureOwnerSet")
    def set_infrastructure_owner(self, owner: bool, actor: dict) -> None:
        self.infrastructure_owner = owner


REPORT_AGGREGATES = (ReportingYear, ReportingDuty)
PRIVATE_AGGREGATES = ("ReportingYear", "ReportingDuty")  # a business's filings stay in the service's own log

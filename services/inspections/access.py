"""Who may call which RPC of the inspections service (shared/kit/access.py reads it at every call)."""
from shared.kit.access import EVERYONE, PARTIES, READ_ALL, STAFF, A, B, D, I, P, R, S, table

REPORTERS = {R} | STAFF
INSPECTORS = {I, D}

ACCESS = table({
    "store_photo": {R, B} | STAFF,
    "report_incident": REPORTERS, "add_information": REPORTERS, "reopen_incident": {R},
    "triage_incident": STAFF, "reject_incident": STAFF, "merge_incident": STAFF, "assign_incident": STAFF,
    "verify_incident": INSPECTORS, "resolve_incident": INSPECTORS, "close_incident": STAFF | {S},
    "get_incident": EVERYONE,  # the reporter and staff see it whole; anyone else the public card
    "suggest_duplicates": STAFF,
    "staff_inbox": STAFF, "incident_history": STAFF, "incident_photo": STAFF | {R},  # a reporter: their own report's before/after  # the staff inbox (issue 14)
    "list_incidents": STAFF | {P},  # the public (Open311 GET lists): every row as the public card
    "my_incidents": REPORTERS,  # the caller's own reports only
    "my_tasks": {I},  # a staff inspector's own tasks (issue 15)
    "incident_assignee": STAFF,  # who a report is assigned to (the bot's push on assignment)
    "site_incident_counts": EVERYONE,
    "add_plan_item": {A, D}, "get_plan": EVERYONE,
    "schedule_inspection": STAFF, "conduct_inspection": INSPECTORS, "conclude_inspection": INSPECTORS,
    "cancel_inspection": STAFF,
    "get_inspection": READ_ALL | {B},  # a business: inspections of its own establishment
    "sanction_catalogue": EVERYONE,
    "record_violation": INSPECTORS, "decide_sanction": STAFF, "submit_evidence": {B},
    "review_evidence": INSPECTORS,
    "get_violation": READ_ALL | {B}, "list_violations": STAFF | {B},  # a business: its own only
    # the staff workspace (issue 14): staff only
    "plan_quarter": STAFF, "list_inspections": STAFF, "evaluate_samples": STAFF, "inspection_violations": STAFF,
    "overdue_measures": STAFF,
    # the reports establishments owe (issue 16): an establishment's own accounts for their own establishment
    # (the application checks which), staff for any
    "store_report_document": PARTIES | STAFF, "file_annual_report": PARTIES | STAFF,
    "file_monitoring_results": PARTIES | STAFF, "reporting_year": PARTIES | STAFF,
    "set_infrastructure_owner": STAFF, "owed_reports": READ_ALL,
})

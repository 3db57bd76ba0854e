"""Who may call which RPC of the indicators service (shared/kit/access.py reads it at every call)."""
from shared.kit.access import EVERYONE, STAFF, A, D, I, table

ACCESS = table({
    "figures": EVERYONE, "roadmap": EVERYONE, "status_card": EVERYONE, "get_report": EVERYONE,
    "diff_report": EVERYONE,
    "issue_report": {A, D, I},
    # the staff workspace (services/indicators/drill.py)
    "targets": STAFF, "drill_down": STAFF, "site_events": STAFF, "list_reports": STAFF, "compare_reports": STAFF,
})

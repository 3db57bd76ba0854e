"""Who may call which RPC of the sites service (shared/kit/access.py reads it at every call)."""
from shared.kit.access import EVERYONE, SIGNED_IN, STAFF, A, D, I, S, table

WRITERS = {A, D, S}        # the registry: the agency, the admin, the platform (seed)
ASSESSORS = WRITERS | {I}  # classification, Art. 56 conditions, WWTP status

ACCESS = table({
    "register_site": WRITERS, "amend_site": WRITERS, "recognise_site": WRITERS, "withdraw_recognition": WRITERS,
    "classify_site": ASSESSORS,
    "set_condition": ASSESSORS, "set_wwtp": ASSESSORS, "record_reform": WRITERS, "deactivate_site": WRITERS,
    "register_establishment": WRITERS, "amend_establishment": WRITERS,
    "issue_link_code": {A, D, I},  # an inspector: only their own code (link_commands.check_staff_binding)
    "redeem_link_code": SIGNED_IN - {S},  # an account linking itself (the bot asserts who)
    # public reads of the registry
    "get_site": EVERYONE, "search_sites": EVERYONE, "search_establishments": EVERYONE, "list_sites": EVERYONE,
    "site_establishments": EVERYONE, "get_establishment": EVERYONE,
    "site_history": EVERYONE,  # actor ids and free text only for staff (SitesApplication.history)
    # the staff workspace's registry (issue 14): staff's own words and every filter
    "staff_sites": STAFF, "staff_establishments": STAFF, "site_as_of": STAFF,
    "store_evidence": STAFF, "get_evidence": STAFF,  # the Art. 56 checklist's evidence files
})

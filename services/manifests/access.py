"""Who may call which RPC of the manifests service (shared/kit/access.py reads it at every call).

The role lets a caller in; the application then checks the party: a business signs for the
generator it is, a transporter in its turn, a facility for the facility it is (facility 2 only
after facility 1 has signed)."""
from shared.kit.access import EVERYONE, PARTIES, READ_ALL, STAFF, A, B, D, F, I, T, table

ACCESS = table({
    "create_manifest": {B, D}, "sign_handover": {B, D}, "sign_pickup": {T, D}, "receive": {F, D},
    "resolve_discrepancy": {B, F, I, A, D},  # both parties agree, or one escalates, or staff decide
    "reject": {F, D}, "treat": {F, D}, "return_copy4": {B, D}, "close_manifest": {B, A, D},
    "cancel_manifest": {B, D}, "correct": {B, D},
    "sign_again": PARTIES, "bulk_sign": {T, F, D},
    "declare_stock": {B, D}, "load_catalogue": {A, D},
    "get_manifest": READ_ALL | PARTIES,  # a party: manifests naming its establishment only
    "my_manifests": PARTIES,
    "mass_balance": READ_ALL | {B},      # a business: its own only
    "waste_catalogue": EVERYONE,
    # the staff workspace's oversight lists (services/manifests/oversight.py)
    "staff_manifests": STAFF, "staff_flag_counts": STAFF, "staff_stock_overdue": STAFF,
    "staff_mass_balances": STAFF,
})

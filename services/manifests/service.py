"""The manifests nameko service: thin entrypoints over ManifestsApplication."""
from __future__ import annotations


from shared.contracts import manifests as c
from shared.kit.nameko_glue import ServiceKit, rpc_method
from shared.kit.providers import KitEntrypoints
from shared.kit.timers import setting_timer
from services.manifests.access import ACCESS
from services.manifests.bootstrap import bootstrap



class ManifestsService(KitEntrypoints):
    name = "manifests"
    access = ACCESS  # services/manifests/access.py: the role × RPC matrix
    kit = ServiceKit("manifests", bootstrap, c.PUBLIC_EVENTS, follows=("sites",))  # bootstrap.py: its composition

    @rpc_method(c.CreateManifest)
    def create_manifest(self, cmd: c.CreateManifest) -> dict:
        d = cmd.model_dump(mode="json", exclude={"command_id"})
        d["planned_date"] = cmd.planned_date
        return self.app.create_manifest(self.actor, cmd.command_id, **d)

    @rpc_method(c.ManifestRef)
    def sign_handover(self, cmd: c.ManifestRef) -> dict:
        return self.app.sign_handover(self.actor, cmd.command_id, cmd.manifest_id)

    @rpc_method(c.ManifestRef)
    def sign_pickup(self, cmd: c.ManifestRef) -> dict:
        return self.app.sign_pickup(self.actor, cmd.command_id, cmd.manifest_id)

    @rpc_method(c.Receive)
    def receive(self, cmd: c.Receive) -> dict:
        return self.app.receive(self.actor, cmd.command_id, cmd.manifest_id,
                                    [m.model_dump() for m in cmd.measured])

    @rpc_method(c.ResolveDiscrepancy)
    def resolve_discrepancy(self, cmd: c.ResolveDiscrepancy) -> dict:
        return self.app.resolve_discrepancy(self.actor, cmd.command_id, cmd.manifest_id, cmd.outcome, cmd.note)

    @rpc_method(c.Reject)
    def reject(self, cmd: c.Reject) -> dict:
        return self.app.reject(self.actor, cmd.command_id, cmd.manifest_id, cmd.lines, cmd.reason,
                                   str(cmd.alternate_facility) if cmd.alternate_facility else None, cmd.number,
                                   cmd.reason_code)

    @rpc_method(c.Treat)
    def treat(self, cmd: c.Treat) -> dict:
        return self.app.treat(self.actor, cmd.command_id, cmd.manifest_id, cmd.method, cmd.treated_on)

    @rpc_method(c.ManifestRef)
    def return_copy4(self, cmd: c.ManifestRef) -> dict:
        return self.app.return_copy4(self.actor, cmd.command_id, cmd.manifest_id)

    @rpc_method(c.ManifestRef)
    def close_manifest(self, cmd: c.ManifestRef) -> dict:
        return self.app.close_manifest(self.actor, cmd.command_id, cmd.manifest_id)

    @rpc_method(c.Cancel)
    def cancel_manifest(self, cmd: c.Cancel) -> dict:
        return self.app.cancel_manifest(self.actor, cmd.command_id, cmd.manifest_id, cmd.reason,
                                            cmd.reason_code)

    @rpc_method(c.Correct)
    def correct(self, cmd: c.Correct) -> dict:
        changes = cmd.changes.model_dump(mode="json", exclude_unset=True)
        if cmd.changes.planned_date is not None:
            changes["planned_date"] = cmd.changes.planned_date
        return self.app.correct(self.actor, cmd.command_id, cmd.manifest_id, changes, cmd.reason,
                                    cmd.reason_code)

    @rpc_method(c.ManifestRef)
    def sign_again(self, cmd: c.ManifestRef) -> dict:
        return self.app.sign_again(self.actor, cmd.command_id, cmd.manifest_id)

    @rpc_method(c.BulkSign)
    def bulk_sign(self, cmd: c.BulkSign) -> dict:
        return self.app.bulk_sign(self.actor, cmd.command_id, [str(m) for m in cmd.manifest_ids], cmd.step,
                                      cmd.method, cmd.treated_on)

    @rpc_method(c.DeclareStock)
    def declare_stock(self, cmd: c.DeclareStock) -> dict:
        return self.app.declare_stock(self.actor, cmd.command_id, str(cmd.generator_id), cmd.year, cmd.code,
                                          cmd.quantity_kg, cmd.stored_since)

    @rpc_method(c.LoadCatalogue)
    def load_catalogue(self, cmd: c.LoadCatalogue) -> dict:
        return self.app.load_catalogue(self.actor, cmd.command_id, cmd.version, cmd.title, cmd.source,
                                           [e.model_dump(exclude_none=True) for e in cmd.codes])

    @rpc_method(c.GetManifest)
    def get_manifest(self, q: c.GetManifest) -> dict:
        return self.app.get_manifest(self.actor, q.manifest_id)

    @rpc_method(c.MyManifests)
    def my_manifests(self, q: c.MyManifests) -> list[dict]:
        actor = self.actor
        if not actor.establishment:
            return []
        return self.views.of_establishment(actor.establishment, q.awaiting_only)

    @rpc_method(c.MassBalance)
    def mass_balance(self, q: c.MassBalance) -> dict:
        return self.app.mass_balance(self.actor, str(q.generator_id), q.year)

    @rpc_method(c.CatalogueQuery)
    def waste_catalogue(self, q: c.CatalogueQuery) -> dict:
        return self.app.catalogue()

    # -- the staff workspace's oversight lists ----------------------------------------------------
    @rpc_method(c.StaffManifests)
    def staff_manifests(self, q: c.StaffManifests) -> dict:
        d = q.model_dump(mode="json")
        return self.app.oversight.list_manifests(**d)

    @rpc_method(c.StaffFlagCounts)
    def staff_flag_counts(self, q: c.StaffFlagCounts) -> dict:
        return self.app.oversight.flag_counts(q.communes)

    @rpc_method(c.StaffStockOverdue)
    def staff_stock_overdue(self, q: c.StaffStockOverdue) -> dict:
        return self.app.oversight.stock_overdue(**q.model_dump(mode="json"))

    @rpc_method(c.StaffMassBalances)
    def staff_mass_balances(self, q: c.StaffMassBalances) -> dict:
        return self.app.oversight.mass_balances(**q.model_dump(mode="json"))

    @setting_timer("deadline_check_interval")
    def check_timers(self) -> dict:
        return self.app.check_timers()

"""The sites nameko service: thin entrypoints over SitesApplication and its read models."""
from __future__ import annotations

import base64
import binascii

from shared.contracts import sites as c
from shared.contracts import sites_staff as cs
from shared.kit.errors import InvalidInput
from shared.kit.nameko_glue import ServiceKit, rpc_method
from shared.kit.providers import KitEntrypoints
from services.sites.access import ACCESS
from services.sites.application import STAFF, without_staff_text
from services.sites.bootstrap import bootstrap


class SitesService(KitEntrypoints):
    name = "sites"
    access = ACCESS  # services/sites/access.py: the role × RPC matrix
    kit = ServiceKit("sites", bootstrap, c.PUBLIC_EVENTS)  # bootstrap.py: its composition

    def _staff(self) -> bool:
        return self.actor.role in STAFF

    def _shown(self, answer):  # type: ignore[no-untyped-def]
        """Anyone but staff reads the registry without staff's own words (notes, evidence)."""
        return answer if self._staff() else without_staff_text(answer)

    # -- commands --------------------------------------------------------------------------------
    @rpc_method(c.RegisterSite)
    def register_site(self, cmd: c.RegisterSite) -> dict:
        fields = cmd.model_dump(exclude={"command_id"})
        return self.app.register_site(self.actor, cmd.command_id, **fields)

    @rpc_method(c.AmendSite)
    def amend_site(self, cmd: c.AmendSite) -> dict:
        changes = cmd.changes.model_dump(exclude_unset=True)
        return self.app.amend_site(self.actor, cmd.command_id, cmd.site_id, changes, cmd.source)

    @rpc_method(c.RecogniseSite)
    def recognise_site(self, cmd: c.RecogniseSite) -> dict:
        return self.app.recognise_site(self.actor, cmd.command_id, cmd.site_id, cmd.decision,
                                           cmd.recognised_on, cmd.legal_basis)

    @rpc_method(c.WithdrawRecognition)
    def withdraw_recognition(self, cmd: c.WithdrawRecognition) -> dict:
        return self.app.withdraw_recognition(self.actor, cmd.command_id, cmd.site_id, cmd.decision,
                                                 cmd.effective, cmd.legal_basis, cmd.reason)

    @rpc_method(c.ClassifySite)
    def classify_site(self, cmd: c.ClassifySite) -> dict:
        return self.app.classify_site(self.actor, cmd.command_id, **cmd.model_dump(exclude={"command_id"}))

    @rpc_method(c.SetCondition)
    def set_condition(self, cmd: c.SetCondition) -> dict:
        return self.app.set_condition(self.actor, cmd.command_id, **cmd.model_dump(exclude={"command_id"}))

    @rpc_method(c.SetWwtp)
    def set_wwtp(self, cmd: c.SetWwtp) -> dict:
        return self.app.set_wwtp(self.actor, cmd.command_id, **cmd.model_dump(exclude={"command_id"}))

    @rpc_method(c.RecordReform)
    def record_reform(self, cmd: c.RecordReform) -> dict:
        entries = [e.model_dump() for e in cmd.entries]
        return self.app.record_reform(self.actor, cmd.command_id, entries, cmd.effective, cmd.legal_basis,
                                          site_ids_by_unit=self.views.site_ids_by_unit)

    @rpc_method(c.DeactivateSite)
    def deactivate_site(self, cmd: c.DeactivateSite) -> dict:
        return self.app.deactivate_site(self.actor, cmd.command_id, cmd.site_id, cmd.reason)

    @rpc_method(c.RegisterEstablishment)
    def register_establishment(self, cmd: c.RegisterEstablishment) -> dict:
        return self.app.register_establishment(self.actor, cmd.command_id,
                                                   **cmd.model_dump(mode="json", exclude={"command_id"}))

    @rpc_method(c.AmendEstablishment)
    def amend_establishment(self, cmd: c.AmendEstablishment) -> dict:
        changes = cmd.changes.model_dump(mode="json", exclude_unset=True)
        return self.app.amend_establishment(self.actor, cmd.command_id, cmd.establishment_id, changes,
                                                cmd.source)

    @rpc_method(c.IssueLinkCode)
    def issue_link_code(self, cmd: c.IssueLinkCode) -> dict:
        ttl = cmd.ttl_hours or self.kit.settings.services.link_code_ttl_hours
        return self.app.issue_link_code(self.actor, cmd.command_id, cmd.role,
                                            str(cmd.establishment_id) if cmd.establishment_id else None, ttl,
                                            cmd.staff)

    @rpc_method(c.RedeemLinkCode)
    def redeem_link_code(self, cmd: c.RedeemLinkCode) -> dict:
        return self.app.redeem_link_code(self.actor, cmd.command_id, cmd.code, cmd.account)

    # -- queries ---------------------------------------------------------------------------------
    @rpc_method(c.GetSite)
    def get_site(self, q: c.GetSite) -> dict:
        return self.app.get_site(q.site_id, on=q.on, as_of=q.as_of, staff=self._staff())

    @rpc_method(c.SearchSites)
    def search_sites(self, q: c.SearchSites) -> list[dict]:
        return self._shown(self.views.search(q.query, q.kind, q.commune, q.old_district, q.limit))

    @rpc_method(c.SearchEstablishments)
    def search_establishments(self, q: c.SearchEstablishments) -> list[dict]:
        return self.views.search_establishments(q.query, q.role, q.limit)

    @rpc_method(c.ListSites)
    def list_sites(self, q: c.ListSites) -> dict:
        return self._shown(self.views.list_sites(q.kind, q.commune, q.old_district, q.recognised, q.offset,
                                                     q.limit))

    @rpc_method(c.SiteRef)
    def site_establishments(self, q: c.SiteRef) -> list[dict]:
        self.app.get_site(q.site_id)  # NotFound for an unknown site
        return self._shown(self.views.establishments_of(str(q.site_id)))

    @rpc_method(c.SiteRef)
    def site_history(self, q: c.SiteRef) -> list[dict]:
        return self.app.history(self.actor, q.site_id)

    @rpc_method(c.EstablishmentRef)
    def get_establishment(self, q: c.EstablishmentRef) -> dict:
        return self.app.get_establishment(q.establishment_id)

    # -- the staff's queries (issue 14) ----------------------------------------------------------
    @rpc_method(cs.StaffSites)
    def staff_sites(self, q: cs.StaffSites) -> dict:
        return self.views.staff_sites(**q.model_dump())

    @rpc_method(cs.StaffEstablishments)
    def staff_establishments(self, q: cs.StaffEstablishments) -> dict:
        fields = q.model_dump()
        if q.site_id:
            fields["site_id"] = str(self.app.get_site(q.site_id)["id"])  # NotFound for an unknown site
        return self.views.staff_establishments(**fields)

    @rpc_method(cs.SiteAsOf)
    def site_as_of(self, q: cs.SiteAsOf) -> dict:
        return self.app.site_as_of(q.site_id, q.at)

    @rpc_method(cs.StoreEvidence)
    def store_evidence(self, cmd: cs.StoreEvidence) -> dict:
        """Content-addressed: the same file again answers the same sha256 (no command id needed)."""
        try:
            data = base64.b64decode(cmd.data_b64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("data_b64 is not valid base64", "data_b64", "base64") from None
        return self.app.evidence.store(data)

    @rpc_method(cs.EvidenceRef)
    def get_evidence(self, q: cs.EvidenceRef) -> dict:
        data, kind = self.app.evidence.get(q.evidence_file)
        return {"evidence_file": q.evidence_file, "content_type": kind, "data_b64": base64.b64encode(data).decode()}

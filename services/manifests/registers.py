"""The registers beside the manifests, a mixin of ManifestsApplication: the hazardous-waste code
catalogue (versions loaded by the agency; the newest is in force, else the shipped one) and the
generators' stock declarations with their mass balance."""
from __future__ import annotations

import re
from datetime import date

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.errors import Conflict, InvalidInput
from shared.kit.values import parse_uuid as _uuid
from services.manifests.domainmodel import NotYourSignature, StockDeclaration, WasteCatalogue

CODE = re.compile(r"^\d{2} \d{2} \d{2}$")
READ_ALL = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN, Role.SYSTEM)


class RegisterCommands:
    """Mixed into ManifestsApplication (uses its repository, ports, clock and helpers)."""

    def catalogue(self) -> dict:
        """The catalogue in force: the newest loaded version, else the shipped one."""
        loaded = self.get_or_none(WasteCatalogue.ID)
        current = loaded.in_force() if loaded else None
        return current or self.shipped_catalogue

    def waste_code(self, code: str, field: str = "lines.code") -> dict:
        for entry in self.catalogue()["codes"]:
            if entry["code"] == code:
                return entry
        raise InvalidInput(f"waste code {code!r} is not in the catalogue in force ({self.catalogue()['version']})",
                           field, "catalogue")

    def load_catalogue(self, actor: Actor, command_id: str | None, version: str, title: str, source: str,
                       codes: list[dict]) -> dict:
        actor.require(Role.AGENCY, Role.ADMIN, action="load a waste-code catalogue")
        seen: set[str] = set()
        for i, entry in enumerate(codes):
            code = entry.get("code", "")
            if not CODE.match(code):
                raise InvalidInput(f"entry {i + 1}: code {code!r} is not of the form 'xx xx xx'", "codes.code", "format")
            if entry.get("chapter") and entry["chapter"] != code[:2]:
                raise InvalidInput(f"entry {i + 1}: code {code} is not in chapter {entry['chapter']}", "codes.chapter", "chapter")
            if code in seen:
                raise InvalidInput(f"entry {i + 1}: code {code} appears twice", "codes.code", "unique")
            seen.add(code)

        def work():  # type: ignore[no-untyped-def]
            cat = self.get_or_none(WasteCatalogue.ID) or WasteCatalogue(actor=actor.to_dict())
            if any(v["version"] == version for v in cat.versions):
                raise Conflict(f"catalogue version {version!r} is loaded already", "version", "unique")
            cat.load_version(version=version, title=title, source=source, codes=codes, actor=actor.to_dict())
            return [cat], {"version": version, "codes": len(codes)}

        return self.execute(command_id, work)

    def declare_stock(self, actor: Actor, command_id: str | None, generator_id: str, year: int, code: str,
                      quantity_kg: float, stored_since: date) -> dict:
        actor.require(Role.BUSINESS, Role.ADMIN, action="declare hazardous-waste stock")
        if actor.role == Role.BUSINESS and actor.establishment != str(_uuid(generator_id, "generator_id")):
            raise NotYourSignature("a business declares its own stock only", "generator_id", "own")
        self._establishment(generator_id, "generator_id", "hw_generator")
        self.waste_code(code, "code")
        if stored_since > local_date(self.clock()):
            raise InvalidInput("stored_since cannot be in the future", "stored_since", "not_future")

        def work():  # type: ignore[no-untyped-def]
            gid = _uuid(generator_id, "generator_id")
            decl = self.get_or_none(StockDeclaration.create_id(gid, year)) or \
                StockDeclaration(generator_id=gid, year=year, actor=actor.to_dict())
            decl.declare(code=code, quantity_kg=quantity_kg, stored_since=stored_since.isoformat(), actor=actor.to_dict())
            return [decl], {"id": str(decl.id), "version": decl.version, "items": len(decl.items)}

        return self.execute(command_id, work)

    def mass_balance(self, actor: Actor, generator_id: str, year: int) -> dict:
        if actor.role not in READ_ALL and actor.establishment != str(_uuid(generator_id, "generator_id")):
            raise NotYourSignature("a business sees its own mass balance only", "generator_id", "own")
        decl = self.get_or_none(StockDeclaration.create_id(_uuid(generator_id, "generator_id"), year))
        declared = sum(i["quantity_kg"] for i in decl.items) if decl else 0.0
        flows = self.views.flows(str(generator_id), year)
        return {"generator_id": str(generator_id), "year": year, "declared_kg": declared,
                "handed_over_kg": flows.get("handed_over_kg", 0.0), "received_kg": flows.get("received_kg", 0.0),
                "treated_kg": flows.get("treated_kg", 0.0)}

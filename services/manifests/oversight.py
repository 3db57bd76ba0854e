"""Staff queries over manifests (issue 14, page 4): the filtered list with its total, the flagged
lists (open discrepancies, copy 4 overdue, in transit too long, stock held over a year) and the
mass balance per generator with its anomaly flag. Reads the indexed listing
(services/manifests/listing.py); the generator's commune or old district comes from the sites
directory at query time. Plain Python over the application's settings and clock."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from shared.kit.calendar import local_date
from services.manifests.domainmodel import DISCREPANCY_SHARE
from services.manifests.listing import utc

FLAGS = ("discrepancy_open", "copy4_overdue", "in_transit_too_long")
ENDED = ("closed", "cancelled", "rejected")
PARTY_COLUMNS = {"transporter_id": "transporter%", "facility_id": "facility%"}


def anomalies(row: dict) -> list[str]:
    """Why a generator's year does not balance: what was received differs from what was handed over
    on the same manifests by more than the discrepancy share (10 %), more was treated than received,
    or declared stock has been held over the storage limit."""
    out = []
    handed = row["handed_over_received_kg"]
    if handed > 0 and abs(row["received_kg"] - handed) / handed > DISCREPANCY_SHARE + 1e-12:
        out.append("received_differs")
    if row["treated_kg"] > row["received_kg"] + 1e-6:
        out.append("treated_exceeds_received")
    if row["stock_over_limit"]:
        out.append("stock_held_too_long")
    return out


class ManifestsOversight:
    def __init__(self, app: Any, listing: Any) -> None:
        self.app = app
        self.listing = listing

    # -- helpers ---------------------------------------------------------------------------------
    def _cutoff(self, days: int) -> str:
        return utc(self.app.clock() - timedelta(days=days)) or ""

    def _generators_in(self, communes: list[str]) -> list[str] | None:
        """None = city-wide; else the establishments whose site is in the communes/old districts."""
        if not communes:
            return None
        find = getattr(self.app.directory, "establishments_in", None)
        return list(find(list(communes))) if find else []

    def _name(self, cache: dict, est_id: str) -> str | None:
        if est_id not in cache:
            est = self.app.directory.establishment(est_id)
            cache[est_id] = est.get("name") if est else None
        return cache[est_id]

    @staticmethod
    def _in(column: str, values: list[str], where: list[str], params: list) -> None:
        where.append(f"{column} IN ({','.join(['%s'] * len(values))})" if values else "1=0")
        params.extend(values)

    def _flag_sql(self, flag: str) -> tuple[str, list]:
        if flag == "discrepancy_open":
            return "m.discrepancy = 'open'", []
        if flag == "copy4_overdue":
            return ("m.handed_over_at IS NOT NULL AND m.copy4_returned_at IS NULL AND m.state NOT IN "
                    f"({','.join(['%s'] * len(ENDED))}) AND m.handed_over_at < %s",
                    [*ENDED, self._cutoff(self.app.copy4_days)])
        return "m.state = 'in_transit' AND m.picked_up_at < %s", [self._cutoff(self.app.transit_days)]

    def _flags_of(self, row: dict) -> list[str]:
        out = []
        if row["discrepancy"] == "open":
            out.append("discrepancy_open")
        if row["handed_over_at"] and not row["copy4_returned_at"] and row["state"] not in ENDED \
                and row["handed_over_at"] < self._cutoff(self.app.copy4_days):
            out.append("copy4_overdue")
        if row["state"] == "in_transit" and (row["picked_up_at"] or "") < self._cutoff(self.app.transit_days):
            out.append("in_transit_too_long")
        return out

    # -- the list ----------------------------------------------------------------------------------
    def list_manifests(self, *, state: str | None = None, generator_id: str | None = None,
                       transporter_id: str | None = None, facility_id: str | None = None, code: str | None = None,
                       communes: list[str] | tuple = (), flag: str | None = None, offset: int = 0,
                       limit: int = 50) -> dict:
        where, params = ["1=1"], []
        if state:
            where.append("m.state = %s")
            params.append(state)
        if generator_id:
            where.append("m.generator_id = %s")
            params.append(str(generator_id))
        for key, value in (("transporter_id", transporter_id), ("facility_id", facility_id)):
            if value:
                where.append("m.id IN (SELECT manifest_id FROM {t:mlist_party} WHERE establishment_id = %s "
                             "AND party LIKE %s)")
                params += [str(value), PARTY_COLUMNS[key]]
        if code:
            where.append("m.id IN (SELECT manifest_id FROM {t:mlist_code} WHERE code = %s)")
            params.append(code)
        scope = self._generators_in(list(communes))
        if scope is not None:
            self._in("m.generator_id", scope, where, params)
        if flag:
            sql, extra = self._flag_sql(flag)
            where.append(sql)
            params += extra
        clause = " AND ".join(where)
        total = self.listing.read(f"SELECT COUNT(*) AS n FROM {{t:mlist}} m WHERE {clause}", params)[0]["n"]
        rows = self.listing.read(f"SELECT m.* FROM {{t:mlist}} m WHERE {clause} "
                                 "ORDER BY m.updated_at DESC, m.id LIMIT %s OFFSET %s", [*params, limit, offset])
        return {"total": int(total), "offset": offset, "limit": limit, "items": self._items(rows)}

    def _items(self, rows: list[dict]) -> list[dict]:
        ids = [r["id"] for r in rows]
        parties: dict[str, dict] = {i: {} for i in ids}
        codes: dict[str, list] = {i: [] for i in ids}
        if ids:
            marks = ",".join(["%s"] * len(ids))
            for p in self.listing.rows(f"SELECT * FROM {{t:mlist_party}} WHERE manifest_id IN ({marks})", ids):
                parties[p["manifest_id"]][p["party"]] = p["establishment_id"]
            for c in self.listing.rows(f"SELECT * FROM {{t:mlist_code}} WHERE manifest_id IN ({marks}) "
                                       "ORDER BY code", ids):
                codes[c["manifest_id"]].append(c["code"])
        names: dict = {}
        return [{"id": r["id"], "number": r["number"], "state": r["state"], "generator_id": r["generator_id"],
                 "generator_name": self._name(names, r["generator_id"]), "planned_date": r["planned_date"],
                 "handed_over_at": r["handed_over_at"], "picked_up_at": r["picked_up_at"],
                 "received_at": r["received_at"], "discrepancy": r["discrepancy"],
                 "handed_over_kg": float(r["handed_over_kg"]), "received_kg": float(r["received_kg"]),
                 "parties": {k: {"id": v, "name": self._name(names, v)} for k, v in sorted(parties[r["id"]].items())},
                 "codes": codes[r["id"]], "flags": self._flags_of(r)} for r in rows]

    def flag_counts(self, communes: list[str] | tuple = ()) -> dict:
        """How many manifests each flagged list holds (in scope), and the stock items held too long."""
        out = {f: self.list_manifests(communes=communes, flag=f, limit=1)["total"] for f in FLAGS}
        out["stock_held_too_long"] = self.stock_overdue(communes=communes, limit=1)["total"]
        return out

    # -- stock held over the limit -----------------------------------------------------------------
    def _stock_cutoff(self) -> str:
        return (local_date(self.app.clock()) - timedelta(days=self.app.storage_days)).isoformat()

    def stock_overdue(self, *, communes: list[str] | tuple = (), offset: int = 0, limit: int = 50) -> dict:
        where, params = ["s.stored_since < %s"], [self._stock_cutoff()]
        scope = self._generators_in(list(communes))
        if scope is not None:
            self._in("s.generator_id", scope, where, params)
        clause = " AND ".join(where)
        total = self.listing.read(f"SELECT COUNT(*) AS n FROM {{t:mlist_stock}} s WHERE {clause}", params)[0]["n"]
        rows = self.listing.read(f"SELECT s.* FROM {{t:mlist_stock}} s WHERE {clause} ORDER BY s.stored_since, "
                                 "s.declaration_id, s.item LIMIT %s OFFSET %s", [*params, limit, offset])
        names: dict = {}
        today = local_date(self.app.clock())
        items = [{"declaration_id": r["declaration_id"], "item": int(r["item"]), "generator_id": r["generator_id"],
                  "generator_name": self._name(names, r["generator_id"]), "year": int(r["year"]), "code": r["code"],
                  "quantity_kg": float(r["quantity_kg"]), "stored_since": r["stored_since"],
                  "days_stored": (today - date.fromisoformat(r["stored_since"])).days} for r in rows]
        return {"total": int(total), "offset": offset, "limit": limit, "items": items}

    # -- mass balance ------------------------------------------------------------------------------
    def mass_balances(self, *, year: int, communes: list[str] | tuple = (), generator_id: str | None = None,
                      anomaly_only: bool = False, offset: int = 0, limit: int = 50) -> dict:
        """Per generator and year: declared stock, handed over, received, treated kg, and the anomalies."""
        where, params = ["year = %s"], [year]
        scope = self._generators_in(list(communes))
        if scope is not None:
            self._in("generator_id", scope, where, params)
        if generator_id:
            where.append("generator_id = %s")
            params.append(str(generator_id))
        clause = " AND ".join(where)
        rows: dict[str, dict] = {}

        def row(gid: str) -> dict:
            return rows.setdefault(gid, {"generator_id": gid, "year": year, "manifests": 0, "declared_kg": 0.0,
                                         "handed_over_kg": 0.0, "received_kg": 0.0, "treated_kg": 0.0,
                                         "handed_over_received_kg": 0.0, "stock_over_limit": 0})
        for r in self.listing.read(
                "SELECT generator_id, COUNT(*) AS n, SUM(handed_over_kg) AS h, SUM(received_kg) AS r, "
                "SUM(treated_kg) AS t, SUM(CASE WHEN received_at IS NOT NULL THEN handed_over_kg ELSE 0 END) AS hr "
                f"FROM {{t:mlist}} WHERE {clause} AND state <> 'cancelled' GROUP BY generator_id", params):
            row(r["generator_id"]).update(manifests=int(r["n"]), handed_over_kg=float(r["h"] or 0),
                                          received_kg=float(r["r"] or 0), treated_kg=float(r["t"] or 0),
                                          handed_over_received_kg=float(r["hr"] or 0))
        for r in self.listing.rows(
                "SELECT generator_id, SUM(quantity_kg) AS q, SUM(CASE WHEN stored_since < %s THEN 1 ELSE 0 END) AS o "
                f"FROM {{t:mlist_stock}} WHERE {clause} GROUP BY generator_id", [self._stock_cutoff(), *params]):
            row(r["generator_id"]).update(declared_kg=float(r["q"] or 0), stock_over_limit=int(r["o"] or 0))
        names: dict = {}
        out = []
        for gid in sorted(rows):
            r = rows[gid]
            r["anomalies"] = anomalies(r)
            r["anomaly"] = bool(r["anomalies"])
            r["generator_name"] = self._name(names, gid)
            if r["anomaly"] or not anomaly_only:
                out.append(r)
        return {"total": len(out), "offset": offset, "limit": limit, "items": out[offset:offset + limit]}

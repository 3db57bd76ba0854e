"""The facts the indicators are computed from, projected from the sites, inspections and
manifests streams with the kit's follower (one tracking row per source, in the same transaction
as the facts).

Facts are append-only with two times: `valid_from` (when it became true: a classification's date,
a WWTP's date, the reform's effective date, a hand-over) and `recorded_at` (when the stream said
so). A figure for quarter Q "as of" A uses the facts valid by the end of Q and recorded by A.
"""
from __future__ import annotations

import json
from typing import Any

from shared.kit.follower import SqlProjection
from shared.kit.sql import Cursor

SITE_FACTS = ("recognised", "withdrawn", "classified", "wwtp", "active", "commune") + tuple(
    f"condition:{i}" for i in ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point"))


def _date(value: str | None, fallback: str) -> str:
    return (value or fallback)[:10]


class IndicatorFacts(SqlProjection):
    name = "indicator_facts"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:ind_site} (site_id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, "
        "cvc INTEGER NOT NULL, old_district TEXT, old_commune TEXT, registered_on TEXT NOT NULL, "
        "recorded_at TEXT NOT NULL, event_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:ind_fact} (event_id TEXT NOT NULL, site_id TEXT NOT NULL, fact TEXT NOT NULL, "
        "value TEXT, valid_from TEXT NOT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (event_id, fact))",
        "CREATE TABLE IF NOT EXISTS {t:ind_est} (est_id TEXT PRIMARY KEY, site_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:ind_manifest} (manifest_id TEXT PRIMARY KEY, generator_id TEXT NOT NULL, "
        "lines TEXT NOT NULL, handed_over_on TEXT, handed_over_recorded TEXT, handed_over_kg DOUBLE PRECISION, "
        "treated_on TEXT, treated_recorded TEXT, treated_kg DOUBLE PRECISION, measured_kg DOUBLE PRECISION, "
        "state TEXT NOT NULL, event_ids TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:ind_case} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, site_id TEXT, "
        "state TEXT NOT NULL, on_date TEXT, detail TEXT)",
        "CREATE INDEX IF NOT EXISTS ind_manifest_generator ON {t:ind_manifest} (generator_id)",  # a site's manifests
    )

    # -- projection ------------------------------------------------------------------------------
    def project(self, cur: Cursor, event: dict) -> None:
        service, name = event["type"].split(".")[2:4]
        handler = getattr(self, f"_{service}_{name}", None)
        if handler is not None:
            handler(cur, event, event.get("data") or {}, event["time"])

    def _fact(self, cur: Cursor, event: dict, site_id: str, fact: str, value: Any, valid_from: str) -> None:
        cur.execute("INSERT INTO {t:ind_fact} (event_id, site_id, fact, value, valid_from, recorded_at) "
                    "VALUES (%s,%s,%s,%s,%s,%s)",
                    (event["id"], site_id, fact, None if value is None else str(value), valid_from, event["time"]))

    # sites
    def _sites_site_registered(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        cur.execute("INSERT INTO {t:ind_site} (site_id, kind, name, cvc, old_district, old_commune, registered_on, "
                    "recorded_at, event_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                    (e["subject"], d["kind"], d["name"], int(bool(d.get("craft_village_cluster"))), d.get("old_district"),
                     d.get("old_commune"), t[:10], t, e["id"]))
        self._fact(cur, e, e["subject"], "active", 1, "0000-01-01")
        if d.get("commune"):
            self._fact(cur, e, e["subject"], "commune", d["commune"], "2025-07-01")

    def _sites_site_amended(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        changes = d.get("changes") or {}
        if "name" in changes:
            cur.execute("UPDATE {t:ind_site} SET name=%s WHERE site_id=%s", (changes["name"], e["subject"]))
        if "craft_village_cluster" in changes:
            cur.execute("UPDATE {t:ind_site} SET cvc=%s WHERE site_id=%s", (int(bool(changes["craft_village_cluster"])), e["subject"]))

    def _sites_site_recognised(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._fact(cur, e, e["subject"], "recognised", d.get("decision") or "yes", _date(d.get("recognised_on"), "0000-01-01"))

    def _sites_site_recognition_withdrawn(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        """Valid from the decision's effective date: the village leaves the denominators then."""
        self._fact(cur, e, e["subject"], "withdrawn", d["decision"], _date(d["effective"], t))

    def _sites_site_classified(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._fact(cur, e, e["subject"], "classified", d["classified_on"], d["classified_on"])

    def _sites_site_condition_set(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._fact(cur, e, e["subject"], f"condition:{d['item']}", d["state"], d["checked_on"])

    def _sites_site_wwtp_status_set(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._fact(cur, e, e["subject"], "wwtp", d["status"], _date(d.get("since"), t))

    def _sites_site_jurisdiction_changed(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._fact(cur, e, e["subject"], "commune", d["commune"], d["effective"])

    def _sites_site_deactivated(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._fact(cur, e, e["subject"], "active", 0, t[:10])

    def _sites_establishment_registered(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        cur.execute("INSERT INTO {t:ind_est} (est_id, site_id) VALUES (%s,%s)", (e["subject"], d["site_id"]))

    # manifests
    def _manifest(self, cur, manifest_id):  # type: ignore[no-untyped-def]
        return cur.execute("SELECT * FROM {t:ind_manifest} WHERE manifest_id=%s", (manifest_id,)).one()

    def _update(self, cur, e, **fields):  # type: ignore[no-untyped-def]
        row = self._manifest(cur, e["subject"])
        if row is None:
            return
        ids = json.loads(row["event_ids"]) + [e["id"]]
        sets = ", ".join(f"{k}=%s" for k in fields)
        cur.execute(f"UPDATE {{t:ind_manifest}} SET {sets}, event_ids=%s WHERE manifest_id=%s",
                    (*fields.values(), json.dumps(ids), e["subject"]))

    def _manifests_manifest_drafted(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        cur.execute("INSERT INTO {t:ind_manifest} (manifest_id, generator_id, lines, state, event_ids) "
                    "VALUES (%s,%s,%s,%s,%s)", (e["subject"], d["generator_id"], json.dumps(d["lines"]), "draft",
                                                json.dumps([e["id"]])))

    def _manifests_manifest_corrected(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        if d.get("lines"):
            row = self._manifest(cur, e["subject"])
            kg = sum(x["quantity_kg"] for x in d["lines"] if not x.get("rejected"))
            self._update(cur, e, lines=json.dumps(d["lines"]),
                         handed_over_kg=kg if row and row["handed_over_on"] else None)

    def _manifests_manifest_signed_by_generator(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        row = self._manifest(cur, e["subject"])
        if row is not None:
            kg = sum(x["quantity_kg"] for x in json.loads(row["lines"]) if not x.get("rejected"))
            self._update(cur, e, handed_over_on=d["at"][:10], handed_over_recorded=t, handed_over_kg=kg,
                         state="handed_over")

    def _manifests_manifest_rejected(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        row = self._manifest(cur, e["subject"])
        if row is not None:
            lines = [dict(x, rejected=x.get("rejected") or x["line"] in d["lines"]) for x in json.loads(row["lines"])]
            kg = sum(x["quantity_kg"] for x in lines if not x["rejected"])
            self._update(cur, e, lines=json.dumps(lines), handed_over_kg=kg if row["handed_over_on"] else None,
                         state="rejected" if d["full"] else row["state"])

    def _manifests_manifest_received(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._update(cur, e, measured_kg=sum(x["quantity_kg"] for x in d["measured"]), state="received")

    def _manifests_manifest_treated(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        row = self._manifest(cur, e["subject"])
        if row is not None:
            self._update(cur, e, treated_on=d["treated_on"], treated_recorded=t, treated_kg=row["measured_kg"] or 0.0,
                         state="treated")

    def _manifests_manifest_cancelled(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._update(cur, e, state="cancelled")

    # inspections (for the status card)
    def _case(self, cur, e, kind, site_id=None, state=None, on_date=None, detail=None):  # type: ignore[no-untyped-def]
        row = cur.execute("SELECT * FROM {t:ind_case} WHERE id=%s", (e["subject"],)).one()
        if row is None:
            cur.execute("INSERT INTO {t:ind_case} (id, kind, site_id, state, on_date, detail) VALUES (%s,%s,%s,%s,%s,%s)",
                        (e["subject"], kind, site_id, state or "open", on_date, json.dumps(detail) if detail else None))
            return
        cur.execute("UPDATE {t:ind_case} SET site_id=COALESCE(%s, site_id), state=COALESCE(%s, state), "
                    "on_date=COALESCE(%s, on_date), detail=COALESCE(%s, detail) WHERE id=%s",
                    (site_id, state, on_date, json.dumps(detail) if detail else None, e["subject"]))

    def _inspections_incident_reported(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "incident", d.get("site_id"), "reported", t[:10])

    def _inspections_incident_triaged(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "incident", d.get("site_id"), "triaged")

    def _moves_to(kind, state):  # type: ignore[no-untyped-def]  # noqa: N805
        """A handler for an event that only moves a case (incident, violation) to a state."""
        def handler(self, cur, e, d, t):  # type: ignore[no-untyped-def]
            self._case(cur, e, kind, None, state)
        return handler

    _inspections_incident_rejected = _moves_to("incident", "rejected")
    _inspections_incident_merged = _moves_to("incident", "merged")
    _inspections_incident_assigned = _moves_to("incident", "assigned")
    _inspections_incident_verified = _moves_to("incident", "verified")
    _inspections_incident_resolved = _moves_to("incident", "resolved")
    _inspections_incident_reopened = _moves_to("incident", "reopened")
    _inspections_incident_closed = _moves_to("incident", "closed")

    def _inspections_inspection_scheduled(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "inspection", d["site_id"], "scheduled", d["scheduled_for"])

    def _inspections_inspection_conducted(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "inspection", None, "conducted", d["conducted_on"])

    def _inspections_inspection_concluded(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "inspection", None, "concluded")

    def _inspections_inspection_cancelled(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "inspection", None, "cancelled")

    def _inspections_violation_recorded(self, cur, e, d, t):  # type: ignore[no-untyped-def]
        self._case(cur, e, "violation", d["site_id"], "recorded", t[:10],
                   {"measures": d["remedial_measures"], "fine_vnd": d["fine_vnd"], "basis": d["legal_basis"]["code"]})

    _inspections_violation_sanction_decided = _moves_to("violation", "sanction_decided")
    _inspections_violation_evidence_submitted = _moves_to("violation", "evidence_submitted")
    _inspections_violation_evidence_rejected = _moves_to("violation", "sanction_decided")
    _inspections_violation_closed = _moves_to("violation", "closed")

    # -- reset per source ------------------------------------------------------------------------
    def reset(self, source: str) -> None:
        """Forget one source's tracking and what it contributed (a rebuild pulls it from zero)."""
        tables = {"sites": ("ind_site", "ind_fact", "ind_est"), "manifests": ("ind_manifest",),
                  "inspections": ("ind_case",)}[source]
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:lx_tracking} WHERE projection=%s AND source=%s", (self.name, source))
            for table in tables:
                cur.execute(f"DELETE FROM {{t:{table}}}")

    # -- queries used by the application ---------------------------------------------------------
    def version(self) -> tuple:
        """Where the facts stand: the tracking position of every source (facts change only with it)."""
        rows = self.rows("SELECT source, position FROM {t:lx_tracking} WHERE projection=%s ORDER BY source",
                         (self.name,))
        return tuple((r["source"], int(r["position"])) for r in rows)

    def latest_recorded(self) -> str:
        """The latest instant any fact was recorded at ('' when there is none)."""
        rows = self.rows(
            "SELECT MAX(recorded_at) AS m FROM {t:ind_site} UNION ALL SELECT MAX(recorded_at) FROM {t:ind_fact} "
            "UNION ALL SELECT MAX(handed_over_recorded) FROM {t:ind_manifest} "
            "UNION ALL SELECT MAX(treated_recorded) FROM {t:ind_manifest}")
        return max((r["m"] for r in rows if r["m"]), default="")

    def sites(self) -> list[dict]:
        return self.rows("SELECT * FROM {t:ind_site} ORDER BY name, site_id")

    def facts(self, valid_by: str, recorded_by: str) -> list[dict]:
        """Every fact valid by a date and recorded by an instant, oldest first."""
        return self.rows("SELECT * FROM {t:ind_fact} WHERE valid_from <= %s AND recorded_at <= %s "
                         "ORDER BY valid_from, recorded_at, event_id", (valid_by, recorded_by))

    def establishments(self) -> dict[str, str]:
        return {r["est_id"]: r["site_id"] for r in self.rows("SELECT * FROM {t:ind_est}")}

    def manifests(self) -> list[dict]:
        return self.rows("SELECT * FROM {t:ind_manifest} ORDER BY manifest_id")

    def manifests_of(self, generator_ids: list[str]) -> list[dict]:
        """The manifests of these generators (a site's establishments)."""
        if not generator_ids:
            return []
        marks = ",".join(["%s"] * len(generator_ids))
        return self.rows(f"SELECT * FROM {{t:ind_manifest}} WHERE generator_id IN ({marks}) ORDER BY manifest_id",
                         list(generator_ids))

    def cases(self, site_id: str) -> list[dict]:
        return self.rows("SELECT * FROM {t:ind_case} WHERE site_id=%s ORDER BY on_date, id", (site_id,))

    def events(self, event_ids: list[str]) -> list[dict]:
        """What each of these events set: a site's registration or a fact (oldest first)."""
        if not event_ids:
            return []
        marks = ",".join(["%s"] * len(event_ids))
        regs = self.rows(f"SELECT event_id, site_id, registered_on AS valid_from, recorded_at FROM {{t:ind_site}} "
                         f"WHERE event_id IN ({marks})", list(event_ids))
        facts = self.rows(f"SELECT event_id, site_id, fact, value, valid_from, recorded_at FROM {{t:ind_fact}} "
                          f"WHERE event_id IN ({marks})", list(event_ids))
        out = [dict(r, fact="registered", value=None) for r in regs] + facts
        return sorted(out, key=lambda r: (r["recorded_at"], r["event_id"], r["fact"]))

    def dump(self) -> dict:
        """Every table, for comparing a rebuild with the incremental state."""
        return {t: self.rows(f"SELECT * FROM {{t:{t}}} ORDER BY 1, 2")
                for t in ("ind_site", "ind_fact", "ind_est", "ind_manifest", "ind_case")}

"""P8 registry: the staff's search over 10 000 sites (issue 14 target: < 300 ms p95 server time).

    python -m tests.bench.staff_registry [--sites 10000] [--rounds 20] [--store sqlite|postgres|both] [--no-pages]

The read model (services/sites/views.py, table site_index) is seeded directly: Site aggregates
built in memory (registered, some recognised, classified, their Art. 56 conditions set, a WWTP
status) and their rows written with the projection's own row function, in one transaction —
not through the log, which would take minutes and measure something else (P4). Then a mix of
the searches the staff page makes (first page, a deep page, diacritic-free text, each filter,
a commune officer's scope, combinations) is called through the sites service's `staff_sites`
entrypoint (contract validation, the role table, the catch-up check and the query: the server
time; the broker's round trip is not in it), `--rounds` times each; p50/p95/max per store. Then
(unless --no-pages) the same searches as a member's requests: GET /staff/registry rendered and GET
/v1/staff/registry/sites, the gateway in-process over the four services (tests/bot/cluster.py).
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from services.sites.application import SitesApplication
from services.sites.domainmodel import ConditionItem, Site
from services.sites.service import SitesService
from services.sites.views import SITE_COLUMNS, SitesViews, insert_sql, site_row
from shared.kit.actor import Actor, Role
from shared.kit.config import Settings
from shared.kit.sql import Db
from shared.kit.store import app_for
from tests.bench.common import PG_URL, drop_schemas, pct
from tests.ports import sites_ports

TARGET_MS = 300.0
PASSWORD = "mật khẩu đủ dài cho bench 2026"
SYLLABLES = ("Bát", "Tràng", "Vạn", "Phúc", "Đông", "Kỵ", "Phù", "Lãng", "Chuông", "Hữu", "Bằng", "Thổ", "Hà",
             "Sơn", "Đồng", "Minh", "Kiêu", "Kỵ", "Triều", "Khúc", "Thủy", "Liên", "Hòa", "Xá", "Cự", "Đà", "Dương",
             "Nội", "Ninh", "Hiệp", "Tân", "Lập", "Nhị", "Khê", "Phú", "Vinh", "Quảng", "Bá", "Yên", "Thái")
TRADES = ("gốm sứ", "dệt lụa", "mây tre đan", "đồ gỗ mỹ nghệ", "chế biến nông sản", "tái chế nhựa", "đúc đồng",
          "sơn mài", "bún bánh", "giết mổ")
DISTRICTS = tuple(f"district-{i:02d}" for i in range(30))
COMMUNES = tuple(f"xa-{i:03d}" for i in range(126))
SYSTEM = {"id": "platform", "role": "system"}


def random_site(rng: random.Random, i: int) -> Site:
    kind = rng.choices(("craft_village", "industrial_cluster", "industrial_zone"), (8, 1.5, 0.5))[0]
    name = " ".join(rng.sample(SYLLABLES, rng.choice((2, 2, 3))))
    name = f"Làng nghề {name}" if kind == "craft_village" else f"CCN {name} {i}" if kind == "industrial_cluster" \
        else f"KCN {name} {i}"
    district = rng.choice(DISTRICTS)
    commune = COMMUNES[(DISTRICTS.index(district) * 4 + rng.randrange(5)) % len(COMMUNES)] if rng.random() < 0.8 \
        else None
    site = Site(kind=kind, name=name, trade=rng.choice(TRADES), trade_group=None, craft_village_cluster=False,
                old_district=district, old_commune=" ".join(rng.sample(SYLLABLES, 2)), commune=commune,
                location=None, households=rng.randrange(50, 3000), area_ha=None, reference_key=None,
                source="bench", confidence="M", actor=SYSTEM)
    if kind == "craft_village" and rng.random() < 0.6:
        site.recognise(decision=f"QĐ {i}", recognised_on="2010-01-01", legal_basis="NĐ 52/2018", actor=SYSTEM)
        if rng.random() < 0.5:
            levels = ("severe", "polluted", "not_polluted")
            site.classify(classified_on="2024-05-01", water=rng.choice(levels), air=rng.choice(levels),
                          soil=rng.choice(levels), hanoi_list=None, assessor="Sở", legal_basis="QĐ 2546",
                          actor=SYSTEM)
        for item in ConditionItem:
            if rng.random() < 0.7:
                site.set_condition(item=item.value, state="met", evidence=None, checked_on="2025-01-10",
                                   legal_basis="Điều 56", actor=SYSTEM)
    if kind != "industrial_zone" and rng.random() < 0.5:
        status = rng.choice(("none", "planned", "under_construction", "operating", "idle"))
        site.set_wwtp(status=status, capacity_m3_day=None, auto_monitoring=None, since=None, note=None, actor=SYSTEM)
    return site


def seed(views: SitesViews, n: int, seed_value: int = 14) -> float:
    """n sites' rows written straight into the read model; returns the seconds it took."""
    rng = random.Random(seed_value)
    t0 = time.perf_counter()
    today = date(2026, 3, 2)
    rows = [site_row(random_site(rng, i), today) for i in range(n)]
    with views.db.transaction() as cur:
        cur.executemany(insert_sql("site_index", SITE_COLUMNS), rows)
    return time.perf_counter() - t0


SEARCHES: list[dict] = [
    {},                                                   # the page as it opens
    {"offset": 5000},                                     # a deep page
    {"query": "bat trang"},                               # diacritic-free text
    {"query": "LÀNG NGHỀ gốm"},
    {"query": "phu", "kind": "craft_village"},
    {"kind": "industrial_cluster", "wwtp": "operating"},
    {"recognised": True, "classified": True},
    {"conditions_met": True},
    {"conditions_met": False, "recognised": True, "offset": 200},
    {"wwtp": "unset", "kind": "craft_village"},
    {"commune": "xa-042"},
    {"old_district": "district-07", "recognised": False},
    {"communes": ["xa-010", "xa-011", "district-03"]},    # a commune officer's list
    {"communes": ["district-12"], "query": "lang nghe", "conditions_met": True},
]


def measure(svc: SitesService, rounds: int) -> dict:
    durations: list[float] = []
    per_search: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for _ in range(rounds):
        for q in SEARCHES:
            key = json.dumps(q, ensure_ascii=False, sort_keys=True)
            t0 = time.perf_counter()
            answer = svc.staff_sites(**q)
            dt = time.perf_counter() - t0
            durations.append(dt)
            per_search.setdefault(key, []).append(dt)
            totals[key] = answer["total"]
    return {"calls": len(durations), "p50_ms": pct(durations, 50) * 1000, "p95_ms": pct(durations, 95) * 1000,
            "max_ms": max(durations) * 1000,
            "per_search": {k: {"p95_ms": pct(v, 95) * 1000, "total": totals[k]} for k, v in per_search.items()}}


def run(store: str, sites: int = 10_000, rounds: int = 20) -> dict:
    prefix = f"lxr{uuid.uuid4().hex[:6]}_"
    tmp = Path(tempfile.mkdtemp(prefix="lx-bench-registry-"))
    settings = Settings(data_dir=tmp, **({"database_url": PG_URL, "schema_prefix": prefix} if store == "postgres"
                                         else {"database_url": None}))
    app = app_for(SitesApplication, "sites", settings, ports=sites_ports())
    try:
        views = SitesViews(Db.of(app), app)
        seed_s = seed(views, sites)
        svc = SitesService()
        svc.app, svc.views, svc.actor = app, views, Actor("staff:bench@langxanh.vn", Role.AGENCY)
        svc.staff_sites()  # warm up (statement caches, the first catch-up)
        out = {"store": store, "sites": sites, "seed_s": seed_s, **measure(svc, rounds), "target_p95_ms": TARGET_MS}
    finally:
        app.close()
        if store == "postgres":
            drop_schemas(prefix)
    return out


def _signed_in(api, email: str, role: str, communes: list[str]):  # type: ignore[no-untyped-def]
    """A TestClient signed in as a new staff account (as `langxanh staff add` + the link + login)."""
    import re

    from fastapi.testclient import TestClient

    staff = api.state.staff
    made = staff.add({"id": "cli:staff", "role": "admin"}, email, role, communes, None, None)
    staff.set_password(made["link_secret"], PASSWORD)
    http = TestClient(api)
    token = re.search(r'name="form_token" value="([^"]+)"', http.get("/staff/login").text).group(1)
    answer = http.post("/staff/login", data={"email": email, "password": PASSWORD, "code": "", "form_token": token,
                                             "next": "/staff"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return http


def html_params(q: dict) -> dict:
    out = {("q" if k == "query" else k): (str(v).lower() if isinstance(v, bool) else v) for k, v in q.items()}
    out.pop("communes", None)
    return out


def pages(store: str, sites: int = 10_000, rounds: int = 10) -> dict:
    """GET /staff/registry (rendered) and GET /v1/staff/registry/sites, in-process over the four
    services (tests/bot/cluster.py), the read model seeded directly: what a member waits for."""
    import os
    from urllib.parse import urlencode

    from services.gateway.application import GatewayApplication
    from services.gateway.service import create_app
    from tests.bot.cluster import LocalCluster, LocalServices

    prefix, tmp = f"lxr{uuid.uuid4().hex[:6]}_", Path(tempfile.mkdtemp(prefix="lx-bench-registry-pages-"))
    env = {"LANGXANH_DATA_DIR": str(tmp), "LANGXANH_SCHEMA_PREFIX": prefix,
           **({"LANGXANH_DATABASE_URL": PG_URL} if store == "postgres" else {})}
    saved = {k: os.environ.get(k) for k in (*env, "LANGXANH_DATABASE_URL")}
    os.environ.update(env)
    if store != "postgres":
        os.environ.pop("LANGXANH_DATABASE_URL", None)
    cluster = LocalCluster()
    try:
        seed(cluster.kits["sites"].views, sites)
        # the gateway's own stores (its app, the staff accounts and sessions) on SQLite: the page's
        # reads are the sites service's (on `store`)
        settings = Settings(data_dir=tmp / "gateway", database_url=None)
        api = create_app(settings, LocalServices(cluster), app_for(GatewayApplication, "gateway", settings))
        city = _signed_in(api, "bench-city@hanoi.gov.vn", "agency", [])
        officer = _signed_in(api, "bench-commune@hanoi.gov.vn", "agency", ["xa-010", "xa-011", "district-03"])
        out: dict[str, list[float]] = {"html": [], "json": []}
        city.get("/staff/registry")  # warm up
        for _ in range(rounds):
            for q in SEARCHES:
                http = officer if "communes" in q else city
                query = urlencode(html_params(q))
                for kind, url in (("html", f"/staff/registry?{query}"), ("json", f"/v1/staff/registry/sites?{query}")):
                    t0 = time.perf_counter()
                    answer = http.get(url)
                    out[kind].append(time.perf_counter() - t0)
                    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        return {k: {"calls": len(v), "p50_ms": pct(v, 50) * 1000, "p95_ms": pct(v, 95) * 1000,
                    "max_ms": max(v) * 1000} for k, v in out.items()}
    finally:
        cluster.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if store == "postgres":
            drop_schemas(prefix)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pages", action=argparse.BooleanOptionalAction, default=True,
                        help="also the pages through the gateway in-process (rendered HTML and JSON)")
    args = parser.parse_args()
    for store in (["sqlite", "postgres"] if args.store == "both" else [args.store]):
        r = run(store, args.sites, args.rounds)
        print(f"[{store}] {r['sites']} sites seeded in {r['seed_s']:.1f} s; staff_sites × {r['calls']}: "
              f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms "
              f"(target p95 < {TARGET_MS:.0f} ms)")
        for key, v in r["per_search"].items():
            print(f"    {v['p95_ms']:7.1f} ms  {v['total']:6d} found  {key}")
        if args.pages:
            p = pages(store, args.sites, max(1, args.rounds // 2))
            for kind, label in (("html", "GET /staff/registry (rendered)"), ("json", "GET /v1/staff/registry/sites")):
                print(f"[{store}] {label} × {p[kind]['calls']}: p50 {p[kind]['p50_ms']:.1f} ms, "
                      f"p95 {p[kind]['p95_ms']:.1f} ms, max {p[kind]['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()

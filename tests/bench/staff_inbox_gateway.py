"""The in-process world of tests.bench.staff_inbox: the four services' kits in-process on a fresh
data dir or fresh PostgreSQL schemas (tests/bot/cluster.py), the gateway app over them, and an
agency member signed in through /staff/login."""
from __future__ import annotations

import os
import re
import uuid
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.bench.common import PG_URL

PASSWORD = "mật khẩu của phép đo 2026"
ENV = ("LANGXANH_DATA_DIR", "LANGXANH_DATABASE_URL", "LANGXANH_SCHEMA_PREFIX")


class InProcess:
    def __init__(self, store: str, data_dir: Path, prefix: str) -> None:
        self.store, self.data_dir, self.prefix = store, data_dir, prefix

    def __enter__(self) -> "InProcess":
        from tests.bot.cluster import LocalCluster

        self.saved = {k: os.environ.get(k) for k in ENV}
        os.environ["LANGXANH_DATA_DIR"] = str(self.data_dir)
        os.environ["LANGXANH_SCHEMA_PREFIX"] = self.prefix
        if self.store == "postgres":
            os.environ["LANGXANH_DATABASE_URL"] = PG_URL
        else:
            os.environ.pop("LANGXANH_DATABASE_URL", None)
        self.cluster = LocalCluster()
        self.inspections = self.cluster.kits["inspections"].app
        self.api = self.http = self.gateway = None
        return self

    def member(self) -> Any:
        """The gateway app and a signed-in agency member's client."""
        from services.gateway.application import GatewayApplication
        from services.gateway.service import create_app
        from shared.kit.config import Settings
        from shared.kit.store import app_for
        from tests.bot.cluster import LocalServices

        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from fastapi.testclient import TestClient

        settings = Settings(data_dir=self.data_dir / "gateway", database_url=None)
        self.gateway = app_for(GatewayApplication, "gateway", settings)
        self.api = create_app(settings, LocalServices(self.cluster), self.gateway)
        staff = self.api.state.staff
        email = f"bench-{uuid.uuid4().hex[:6]}@hanoi.gov.vn"
        made = staff.add({"id": "cli:staff", "role": "admin"}, email, "agency", [], None, None)
        staff.set_password(made["link_secret"], PASSWORD)
        http = TestClient(self.api)
        token = re.search(r'name="form_token" value="([^"]+)"', http.get("/staff/login").text).group(1)
        answer = http.post("/staff/login", data={"email": email, "password": PASSWORD, "code": "", "form_token": token,
                                                 "next": "/staff"}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        self.http = http
        return http

    def get(self, http: Any, kind: str, params: dict) -> Any:
        """GET the page (kind 'page') or its JSON twin ('json') with the query's filters."""
        query: dict[str, Any] = {}
        states = params.get("states") or []
        if len(states) == 1:
            query["state"] = states[0]
        elif not states:
            query.update({"state": "all"} if kind == "page" else {"all": "true"})
        for key in ("category", "site_id", "offset"):
            if params.get(key):
                query[key] = params[key]
        if params.get("communes"):
            query["commune"] = params["communes"][0]
        if params.get("overdue"):
            query["overdue"] = "1" if kind == "page" else "true"
        if params.get("inspector"):
            query["mine"] = "1" if kind == "page" else "true"
        path = "/staff/inbox" if kind == "page" else "/v1/staff/inbox"
        answer = http.get(f"{path}?{urlencode(query)}")
        assert answer.status_code == 200, answer.text[:500]
        return answer

    def __exit__(self, *exc: Any) -> None:
        if self.http is not None:
            self.http.close()
        if self.gateway is not None:
            self.gateway.close()
            self.api.state.staff.close()
        self.cluster.close()
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

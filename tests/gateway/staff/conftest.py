"""Staff workspace tests: the gateway app in-process over the in-process cluster (as tests/gateway),
with staff accounts made as `langxanh staff add` makes them and signed in through /staff/login.

`staff_gateway.member(role, communes=..., unit=...)` gives a StaffClient: a TestClient with the
member's session cookie, its CSRF token, and helpers that send forms and JSON as a browser and a
script would."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.gateway.conftest import Gateway, TestClient

PASSWORD = "mật khẩu đủ dài 2026"


class StaffClient:
    def __init__(self, http: TestClient, email: str, csrf: str) -> None:
        self.http, self.email, self.csrf = http, email, csrf

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.http.get(url, follow_redirects=False, **kw)

    def form(self, url: str, data: dict | None = None, command_id: str | None = None, files=None, csrf=True):  # type: ignore[no-untyped-def]
        """A form POST as the page sends it: the CSRF token and a command id (fresh unless given)."""
        body = dict(data or {})
        if csrf:
            body["csrf"] = self.csrf
        body["command_id"] = command_id or str(uuid.uuid4())
        return self.http.post(url, data=body, files=files, follow_redirects=False)

    def api(self, method: str, url: str, json=None, csrf=True):  # type: ignore[no-untyped-def]
        headers = {"X-CSRF-Token": self.csrf} if csrf else {}
        return self.http.request(method, url, json=json, headers=headers, follow_redirects=False)


class StaffGateway(Gateway):
    def __init__(self, cluster, tmp_path, **settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(cluster, tmp_path)
        self.staff = self.api.state.staff

    def add(self, email: str, role: str, communes=(), unit=None, name=None) -> str:  # type: ignore[no-untyped-def]
        made = self.staff.add({"id": "cli:staff", "role": "admin"}, email, role, list(communes), unit, name)
        return made["link_secret"]

    def client(self, base_url: str = "http://testserver") -> TestClient:
        return TestClient(self.api, base_url=base_url)

    def login(self, http: TestClient, email: str, password: str = PASSWORD, code: str = ""):  # type: ignore[no-untyped-def]
        page = http.get("/staff/login")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
        return http.post("/staff/login", data={"email": email, "password": password, "code": code,
                                               "form_token": token, "next": "/staff"}, follow_redirects=False)

    def member(self, role: str = "agency", communes=(), unit=None, email=None) -> StaffClient:  # type: ignore[no-untyped-def]
        """A signed-in member (account made, password set by its link, logged in)."""
        email = email or f"{role}-{uuid.uuid4().hex[:8]}@hanoi.gov.vn"
        self.staff.set_password(self.add(email, role, communes, unit), PASSWORD)
        http = self.client()
        answer = self.login(http, email)
        assert answer.status_code == 303, answer.text
        me = http.get("/v1/staff/me").json()
        return StaffClient(http, email, me["csrf"])


@pytest.fixture
def staff_gateway(cluster, tmp_path):
    g = StaffGateway(cluster, tmp_path)
    yield g
    g.http.close()
    g.app.close()
    g.staff.close()

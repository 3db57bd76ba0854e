"""Signing in to the workspace over HTTP, as a browser and an attacker meet it: cookies, CSRF, the
login redirect, lockout, logout, who may manage accounts, and the body cap before login."""
from __future__ import annotations

import re

from tests.gateway.staff.conftest import PASSWORD


def test_a_page_without_a_session_sends_to_login_and_back(staff_gateway):
    http = staff_gateway.client()
    answer = http.get("/staff/accounts?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/staff/login?next=%2Fstaff%2Faccounts%3Fx%3D1"
    assert http.get("/v1/staff/me").status_code == 401


def test_the_session_cookie_is_httponly_samesite_and_secure_behind_tls(staff_gateway):
    staff_gateway.staff.set_password(staff_gateway.add("tls@hanoi.gov.vn", "agency"), PASSWORD)
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        answer = staff_gateway.login(staff_gateway.client(base), "tls@hanoi.gov.vn")
        cookie = [v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("lx_staff=")][0]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure


def test_login_goes_only_to_pages_of_the_workspace(staff_gateway):
    staff_gateway.staff.set_password(staff_gateway.add("nx@hanoi.gov.vn", "agency"), PASSWORD)
    http = staff_gateway.client()
    page = http.get("/staff/login")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    for evil in ("//evil.example/x", "https://evil.example", "/staff\\..\\evil", "javascript:alert(1)"):
        answer = http.post("/staff/login", data={"email": "nx@hanoi.gov.vn", "password": PASSWORD,
                                                 "form_token": token, "next": evil}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/staff", evil


def test_a_login_form_without_its_token_is_refused(staff_gateway):
    staff_gateway.staff.set_password(staff_gateway.add("csrf@hanoi.gov.vn", "agency"), PASSWORD)
    http = staff_gateway.client()
    answer = http.post("/staff/login", data={"email": "csrf@hanoi.gov.vn", "password": PASSWORD},
                       follow_redirects=False)
    assert answer.status_code == 403 and "lx_staff" not in answer.headers.get("set-cookie", "")


def test_a_form_without_the_csrf_token_changes_nothing(staff_gateway):
    admin = staff_gateway.member("admin")
    before = len(staff_gateway.staff.accounts())
    refused = admin.form("/staff/accounts", {"email": "new@hanoi.gov.vn", "role": "agency"}, csrf=False)
    assert refused.status_code == 403 and "Biểu mẫu" in refused.text
    wrong = admin.http.post("/staff/accounts", data={"email": "new@hanoi.gov.vn", "role": "agency",
                                                      "csrf": "x" * 43, "command_id": "c" * 36})
    assert wrong.status_code == 403
    assert len(staff_gateway.staff.accounts()) == before
    assert admin.form("/staff/accounts", {"email": "new@hanoi.gov.vn", "role": "agency"}).status_code == 200
    assert len(staff_gateway.staff.accounts()) == before + 1


def test_a_json_write_needs_the_csrf_header(staff_gateway):
    admin = staff_gateway.member("admin")
    body = {"email": "json@hanoi.gov.vn", "role": "inspector"}
    refused = admin.api("POST", "/v1/staff/accounts", json=body, csrf=False)
    assert refused.status_code == 403 and refused.json()["field"] == "X-CSRF-Token"
    made = admin.api("POST", "/v1/staff/accounts", json=body)
    assert made.status_code == 201 and "/staff/password?token=" in made.json()["link"]


def test_only_admins_manage_accounts(staff_gateway):
    officer = staff_gateway.member("agency", communes=["bat-trang"])
    assert officer.get("/staff/accounts").status_code == 403
    assert officer.form("/staff/accounts", {"email": "sneaky@hanoi.gov.vn", "role": "admin"}).status_code == 403
    assert officer.api("POST", "/v1/staff/accounts", json={"email": "s@hanoi.gov.vn", "role": "admin"}).status_code == 403
    assert [a for a in staff_gateway.staff.accounts() if a["email"].startswith("s")] == []
    assert 'href="/staff/accounts"' not in officer.get("/staff").text


def test_logging_out_kills_the_cookie_for_good(staff_gateway):
    m = staff_gateway.member("inspector", unit="TTr-1")
    cookie = m.http.cookies.get("lx_staff")
    assert m.form("/staff/logout").status_code == 303
    replay = staff_gateway.client()
    replay.cookies.set("lx_staff", cookie)
    assert replay.get("/v1/staff/me").status_code == 401


def test_wrong_passwords_lock_the_account_over_http(staff_gateway):
    staff_gateway.staff.set_password(staff_gateway.add("lock@hanoi.gov.vn", "agency"), PASSWORD)
    http = staff_gateway.client()
    for _ in range(5):
        answer = staff_gateway.login(http, "lock@hanoi.gov.vn", "sai mật khẩu rồi")
        assert answer.status_code == 400 and "Sai e-mail hoặc mật khẩu" in answer.text
    locked = staff_gateway.login(http, "lock@hanoi.gov.vn")
    assert locked.status_code == 403 and "tạm khoá" in locked.text


def test_the_set_password_page_speaks_vietnamese_next_to_the_field(staff_gateway):
    link = staff_gateway.add("page@hanoi.gov.vn", "inspector")
    http = staff_gateway.client()
    page = http.get(f"/staff/password?token={link}")
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    short = http.post("/staff/password", data={"token": link, "password": "ngắn", "password2": "ngắn",
                                               "form_token": token})
    assert short.status_code == 400 and 'id="err-password"' in short.text and "Độ dài" in short.text
    done = http.post("/staff/password", data={"token": link, "password": PASSWORD, "password2": PASSWORD,
                                              "form_token": token}, follow_redirects=False)
    assert done.status_code == 303
    assert http.get(f"/staff/password?token={link}").status_code == 403  # used


def test_a_big_body_is_refused_before_login_and_taken_after(staff_gateway):
    big = b"x" * 400_000  # over the gateway's 256 KiB, under the staff cap
    anonymous = staff_gateway.client().post("/staff/login", content=big,
                                            headers={"content-type": "application/x-www-form-urlencoded"})
    assert anonymous.status_code == 413
    m = staff_gateway.member("agency")
    answer = m.http.post("/staff/me/sessions", files={"f": ("a.bin", big)}, data={"csrf": m.csrf, "command_id": "c" * 36},
                         follow_redirects=False)
    assert answer.status_code == 303  # read in full, then acted on


def test_pages_carry_a_strict_csp_and_are_never_cached(staff_gateway):
    m = staff_gateway.member("agency")
    page = m.get("/staff")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text
    english = m.get("/staff?lang=en")
    assert "Log out" in english.text and 'lang="en"' in english.text

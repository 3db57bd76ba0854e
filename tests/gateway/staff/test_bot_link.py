"""An inspector's bot link code (issue 15): issued from "My account" (or by an admin on an
inspector's account), shown once with the QR code of https://t.me/<bot>?start=CODE, bound to the
staff account: redeemed, the code says which staff e-mail the chat account acts as."""
from __future__ import annotations

import re

from shared.kit.actor import Actor, Role

BOT = Actor(id="tg-link-account", role=Role.RESIDENT)


def code_of(html: str) -> str:
    return re.search(r'id="link-code">([0-9A-Z-]+)<', html).group(1)


def redeem(cluster, code: str) -> dict:
    return cluster.client(BOT).sites.redeem_link_code(code=code, account=BOT.id)


def test_an_inspector_issues_their_own_bot_code_from_my_account_shown_once(staff_gateway, cluster):
    inspector = staff_gateway.member("inspector", unit="Đội 2")
    page = inspector.get("/staff/me")
    assert 'id="bot-code-form"' in page.text and "Cấp mã liên kết bot" in page.text
    issued = inspector.form("/staff/me/bot-code")
    assert issued.status_code == 200 and "no-store" in issued.headers["cache-control"]
    code = code_of(issued.text)
    assert f"https://t.me/LangXanhBot?start={code}" in issued.text and "<svg" in issued.text
    assert "Quét mã QR bằng điện thoại" in issued.text
    assert code not in inspector.get("/staff/me").text  # shown once
    answer = redeem(cluster, code)
    assert answer["role"] == "inspector" and answer["staff"] == inspector.email
    js = inspector.api("POST", "/v1/staff/me/bot-code").json()
    assert js["deep_link"] == f"https://t.me/LangXanhBot?start={js['code']}" and js["qr_svg"].startswith("<svg")
    assert redeem(cluster, js["code"])["staff"] == inspector.email
    assert inspector.form("/staff/me/bot-code", csrf=False).status_code == 403  # no CSRF token: nothing issued


def test_only_inspectors_get_the_button_and_an_admin_issues_one_for_an_inspectors_account(staff_gateway, cluster):
    agency = staff_gateway.member("agency")
    assert 'id="bot-code-form"' not in agency.get("/staff/me").text
    refused = agency.form("/staff/me/bot-code")
    assert refused.status_code == 403
    assert agency.api("POST", "/v1/staff/me/bot-code").status_code == 403
    admin = staff_gateway.member("admin")
    inspector = staff_gateway.member("inspector")
    page = admin.get(f"/staff/accounts/{inspector.email}")
    assert 'id="account-bot-code"' in page.text
    issued = admin.form(f"/staff/accounts/{inspector.email}/bot-code")
    assert issued.status_code == 200
    assert redeem(cluster, code_of(issued.text))["staff"] == inspector.email
    assert 'id="account-bot-code"' not in admin.get(f"/staff/accounts/{agency.email}").text
    wrong = admin.form(f"/staff/accounts/{agency.email}/bot-code")
    assert wrong.status_code == 400 and 'id="link-code"' not in wrong.text
    forged = inspector.form(f"/staff/accounts/{admin.email}/bot-code")  # not an admin: the accounts pages refuse
    assert forged.status_code == 403 and 'id="link-code"' not in forged.text

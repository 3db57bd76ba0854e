"""The workspace's own defences, in the browser: a form without its CSRF token is refused and
changes nothing; repeated wrong passwords lock an account, and the right one is refused until the
lockout ends (an admin unlocks it)."""
from __future__ import annotations

import uuid

from tests.staff.accounts import PASSWORD, add_by_cli, log_in, set_password, staff_member, unique_email


def accounts(story) -> set[str]:  # type: ignore[no-untyped-def]
    """The e-mails of every account, as the admin's JSON twin lists them (a GET: no token needed)."""
    r = story.context.request.get(story.system.base + "/v1/staff/accounts")
    assert r.status == 200, r.text()
    return {a["email"] for a in r.json()}


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(story):
    staff_member(story, "admin")
    story.goto("/staff/accounts", "accounts")
    before = accounts(story)
    base, request = story.system.base, story.context.request

    # the browser's own form, its hidden token taken out before it is sent
    refused = unique_email("inspector")
    page = story.page
    form = page.locator("#account-add")
    form.locator('[name="email"]').fill(refused)
    form.locator('[name="role"]').select_option("inspector")
    form.locator('[name="csrf"]').evaluate("e => e.remove()")
    with page.expect_navigation() as nav:
        form.locator('[type="submit"]').click()
    story.snap("refused-without-token")
    assert nav.value.status == 403

    # the session's cookie with no token, a wrong token, and a JSON write without the header
    command = {"email": refused, "role": "inspector", "command_id": str(uuid.uuid4())}
    assert request.post(base + "/staff/accounts", form=command).status == 403
    assert request.post(base + "/staff/accounts", form={**command, "csrf": "x" * 43}).status == 403
    json_write = request.post(base + "/v1/staff/accounts", data={"email": refused, "role": "inspector"})
    assert json_write.status == 403 and json_write.json()["field"] == "X-CSRF-Token"
    assert accounts(story) == before  # nothing changed

    # the same form with its token acts: the refusals were the token's doing
    story.goto("/staff/accounts", "accounts-again")
    accepted = unique_email("inspector")
    form.locator('[name="email"]').fill(accepted)
    form.locator('[name="role"]').select_option("inspector")
    story.submit(form.locator('[type="submit"]'), "added-with-token")
    assert "/staff/password?token=" in page.content()
    assert accounts(story) == before | {accepted}


def test_repeated_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(story):
    failures = int(story.system.env["LANGXANH_STAFF_LOCKOUT_FAILURES"])
    email, link = add_by_cli(story.system, "inspector")
    set_password(story, link)
    for i in range(failures):
        wrong = log_in(story, email, f"sai-mat-khau-{i}", step=f"wrong-password-{i + 1}")
        assert wrong.status == 400 and "/staff/login" in story.page.url
    locked = log_in(story, email, PASSWORD, step="right-password-while-locked")
    assert locked.status == 403 and "khoá" in story.page.locator("#login-form").inner_text()  # "tạm khoá"
    assert story.page.locator('[name="password"]').count() == 1  # still the login form, no session
    assert story.context.request.get(story.system.base + "/v1/staff/me").status in (401, 403)

    admin = story.other("admin")
    staff_member(admin, "admin")
    admin.goto(f"/staff/accounts/{email}", "locked-account")
    admin.submit(admin.page.locator(f'form[action$="/unlock"] [type="submit"]'), "unlocked")

    opened = log_in(story, email, PASSWORD, step="right-password-after-unlock")
    assert opened.status == 200 and story.page.url.rstrip("/").endswith("/staff")

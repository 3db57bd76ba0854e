"""Staff accounts in a story: made by the CLI (`langxanh staff add`, which prints a one-time
set-password link), the password set through that link in the browser, then logged in."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from tests.staff.forms import fill_and_send

PASSWORD = "Làng-Xanh-mật-khẩu-đúng-2026"  # long enough for any length rule
LINK = re.compile(r"(?:https?://[^\s/]+)?(/staff/password\?token=[^\s'\"<>]+)")


@dataclass(frozen=True)
class Account:
    email: str
    role: str
    communes: tuple[str, ...]
    password: str = PASSWORD


def unique_email(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:8]}@hanoi.gov.vn"


def add_by_cli(system, role: str, communes: tuple[str, ...] = (), unit: str | None = None) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """`langxanh staff add`: (email, the set-password link's path)."""
    email = unique_email(role)
    args = ["staff", "add", email, "--role", role]
    for c in communes:
        args += ["--commune", c]
    if unit:
        args += ["--unit", unit]
    done = system.cli(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    found = LINK.search(done.stdout)
    assert found, f"no set-password link in: {done.stdout}"
    return email, found.group(1)


def set_password(story, link: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    story.goto(link, "set-password")
    fill_and_send(story, "#password-form", {"password": password, "password2": password}, "password-set")
    assert "/staff/login" in story.page.url, story.page.url


def log_in(story, email: str, password: str = PASSWORD, step: str = "logged-in"):  # type: ignore[no-untyped-def]
    """The login form; the response of the POST's final page."""
    if "/staff/login" not in story.page.url:
        story.goto("/staff/login", "login")
    return fill_and_send(story, "#login-form", {"email": email, "password": password}, step)


def staff_member(story, role: str, communes: tuple[str, ...] = (), unit: str | None = None) -> Account:  # type: ignore[no-untyped-def]
    """A member of the given role, communes and unit, signed in in the story's browser. The first
    story to ask makes the account by the CLI, sets its password through the link and logs in
    (screenshots of each); later stories of the session reuse that session's cookie (Argon2 is
    slow on purpose, and the CLI is a process start)."""
    key = (role, tuple(communes), unit)
    known = story.system.members.get(key)
    if known:
        account, cookies = known
        story.context.add_cookies(cookies)
        return account
    email, link = add_by_cli(story.system, role, communes, unit)
    set_password(story, link)
    log_in(story, email)
    assert story.page.url.rstrip("/").endswith("/staff"), story.page.url
    account = Account(email, role, tuple(communes))
    story.system.members[key] = (account, story.context.cookies())
    return account

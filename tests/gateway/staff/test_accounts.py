"""Staff accounts as an agency's admin meets them: made by the CLI with a one-time link, a password
set once, lockout after wrong passwords, disabled accounts and revoked sessions, TOTP for admins.
On SQLite and PostgreSQL (the application's own store)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from typer.testing import CliRunner

from services.gateway.staff.application import StaffApplication
from shared.kit.errors import Conflict, Forbidden, InvalidInput
from shared.kit.store import app_for

BY = {"id": "cli:staff", "role": "admin"}
PASSWORD = "một câu mật khẩu dài"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def staff(settings):  # type: ignore[no-untyped-def]
    """On SQLite and PostgreSQL (the root conftest's `settings`)."""
    clock = Clock()
    app = app_for(StaffApplication, "staff", settings, clock=clock, lock_after=3, lock_minutes=15)
    app.test_clock = clock
    yield app
    app.close()


def test_a_link_sets_the_password_once_and_is_then_dead(staff):
    link = staff.add(BY, "Ha.Nguyen@Hanoi.gov.vn", "agency", ["bat-trang"])["link_secret"]
    assert staff.check_link(link) == "ha.nguyen@hanoi.gov.vn"
    staff.set_password(link, PASSWORD)
    with pytest.raises(Forbidden) as e:
        staff.set_password(link, "another long password")
    assert e.value.rule == "link"
    assert staff.login("ha.nguyen@hanoi.gov.vn", PASSWORD, "10.0.0.1")["account"]["communes"] == ["bat-trang"]


def test_an_expired_or_forged_link_is_refused(staff):
    link = staff.add(BY, "late@hanoi.gov.vn", "inspector")["link_secret"]
    head, _, secret = link.partition(".")
    for forged in (f"{head}.{secret[:-2]}xx", "nothing", f"{'0' * 32}.{secret}", ""):
        with pytest.raises(Forbidden):
            staff.set_password(forged, PASSWORD)
    staff.test_clock.now += timedelta(hours=73)
    with pytest.raises(Forbidden):
        staff.set_password(link, PASSWORD)


def test_a_short_password_is_refused_and_nothing_changes(staff):
    link = staff.add(BY, "short@hanoi.gov.vn", "inspector")["link_secret"]
    with pytest.raises(InvalidInput) as e:
        staff.set_password(link, "short")
    assert (e.value.field, e.value.rule) == ("password", "length")
    assert staff.accounts()[0]["password_set"] is False
    staff.set_password(link, PASSWORD)  # the link still works


def test_wrong_passwords_lock_the_account_even_for_the_right_one(staff):
    staff.set_password(staff.add(BY, "target@hanoi.gov.vn", "admin")["link_secret"], PASSWORD)
    for _ in range(3):
        with pytest.raises(Forbidden) as e:
            staff.login("target@hanoi.gov.vn", "guess guess guess", "10.0.0.9")
        assert e.value.rule == "credentials"
    with pytest.raises(Forbidden) as e:
        staff.login("target@hanoi.gov.vn", PASSWORD, "10.0.0.9")
    assert e.value.rule == "locked"
    staff.test_clock.now += timedelta(minutes=16)
    assert staff.login("target@hanoi.gov.vn", PASSWORD, "10.0.0.9")["token"]
    events = [h["event"] for h in staff.history("target@hanoi.gov.vn")]
    assert events.count("LoginFailed") == 3 and events[-1] == "LoggedIn"


def test_an_unknown_address_is_told_the_same_as_a_wrong_password(staff):
    with pytest.raises(Forbidden) as e:
        staff.login("nobody@hanoi.gov.vn", PASSWORD, "10.0.0.2")
    assert (e.value.rule, e.value.message) == ("credentials", "wrong e-mail or password")


def test_one_address_trying_many_accounts_is_slowed(tmp_path):
    app = StaffApplication(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "s.db")},
                           per_address_per_minute=4)
    for i in range(4):
        with pytest.raises(Forbidden):
            app.login(f"user{i}@hanoi.gov.vn", "x" * 12, "203.0.113.7")
    with pytest.raises(InvalidInput) as e:
        app.login("user9@hanoi.gov.vn", "x" * 12, "203.0.113.7")
    assert e.value.rule == "rate_limit"
    with pytest.raises(Forbidden):  # another address is not slowed
        app.login("user9@hanoi.gov.vn", "x" * 12, "203.0.113.8")


def test_disabling_or_changing_an_account_ends_its_sessions(staff):
    staff.set_password(staff.add(BY, "officer@hanoi.gov.vn", "agency", ["bat-trang"])["link_secret"], PASSWORD)
    token = staff.login("officer@hanoi.gov.vn", PASSWORD, "10.0.0.3")["token"]
    assert staff.session(token)["account"]["email"] == "officer@hanoi.gov.vn"
    staff.change(BY, "officer@hanoi.gov.vn", "agency", ["bat-trang", "phu-nghia"], None)
    assert staff.session(token) is None
    token = staff.login("officer@hanoi.gov.vn", PASSWORD, "10.0.0.3")["token"]
    staff.disable(BY, "officer@hanoi.gov.vn")
    assert staff.session(token) is None
    with pytest.raises(Forbidden):
        staff.login("officer@hanoi.gov.vn", PASSWORD, "10.0.0.3")
    with pytest.raises(Conflict):
        staff.disable(BY, "officer@hanoi.gov.vn")
    history = staff.history("officer@hanoi.gov.vn")
    assert [(h["event"], h["actor"]) for h in history if h["event"] in ("Created", "Changed", "Disabled")] == [
        ("Created", "cli:staff"), ("Changed", "cli:staff"), ("Disabled", "cli:staff")]


def test_a_session_ends_when_idle_or_old(staff):
    staff.set_password(staff.add(BY, "idle@hanoi.gov.vn", "inspector")["link_secret"], PASSWORD)
    token = staff.login("idle@hanoi.gov.vn", PASSWORD, "10.0.0.4")["token"]
    staff.test_clock.now += timedelta(minutes=121)
    assert staff.session(token) is None
    token = staff.login("idle@hanoi.gov.vn", PASSWORD, "10.0.0.4")["token"]
    for _ in range(13):  # used every hour, still ends 12 h after login
        staff.test_clock.now += timedelta(minutes=59)
        staff.session(token)
    assert staff.session(token) is None


def test_an_admin_with_totp_needs_the_code(staff):
    staff.set_password(staff.add(BY, "root@hanoi.gov.vn", "admin")["link_secret"], PASSWORD)
    secret = staff.totp_secret()
    with pytest.raises(InvalidInput):
        staff.enable_totp(BY, "root@hanoi.gov.vn", secret, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    staff.enable_totp(BY, "root@hanoi.gov.vn", secret, pyotp.TOTP(secret).now())
    with pytest.raises(Forbidden) as e:
        staff.login("root@hanoi.gov.vn", PASSWORD, "10.0.0.5")
    assert e.value.rule == "totp"
    assert staff.login("root@hanoi.gov.vn", PASSWORD, "10.0.0.5", pyotp.TOTP(secret).now())["token"]


def test_bad_roles_communes_and_addresses_are_refused(staff):
    for kwargs, field in ((dict(email="x@hanoi.gov.vn", role="system"), "role"),
                          (dict(email="x@hanoi.gov.vn", role="resident"), "role"),
                          (dict(email="not an address", role="agency"), "email"),
                          (dict(email="x@hanoi.gov.vn", role="agency", communes=["<script>"]), "communes"),
                          (dict(email="x@hanoi.gov.vn", role="agency", communes=["c"] * 51), "communes")):
        with pytest.raises(InvalidInput) as e:
            staff.add(BY, **kwargs)
        assert e.value.field == field
    assert staff.accounts() == []
    staff.add(BY, "x@hanoi.gov.vn", "agency")
    with pytest.raises(Conflict):
        staff.add(BY, "X@hanoi.gov.vn", "admin")


def test_the_cli_makes_the_first_admin_with_a_link(tmp_path, monkeypatch):
    from langxanh.cli import app

    monkeypatch.setenv("LANGXANH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LANGXANH_DATABASE_URL", raising=False)
    monkeypatch.setenv("LANGXANH_STAFF_BASE_URL", "https://moitruong.hanoi.gov.vn")
    out = CliRunner().invoke(app, ["staff", "add", "boss@hanoi.gov.vn", "--role", "admin", "--name", "Chị Hà"])
    assert out.exit_code == 0, out.output
    link = out.output.strip().splitlines()[-1]
    assert link.startswith("https://moitruong.hanoi.gov.vn/staff/password?token=")
    listed = CliRunner().invoke(app, ["staff", "list"])
    assert "boss@hanoi.gov.vn" in listed.output and "waiting for a password" in listed.output
    again = CliRunner().invoke(app, ["staff", "add", "boss@hanoi.gov.vn", "--role", "admin"])
    assert again.exit_code == 1 and "exists" in again.output
    bad = CliRunner().invoke(app, ["staff", "add", "x@hanoi.gov.vn", "--role", "system"])
    assert bad.exit_code == 1 and "role" in bad.output


def test_a_forged_totp_secret_is_refused_and_changes_nothing(staff):
    staff.set_password(staff.add(BY, "forge@hanoi.gov.vn", "admin")["link_secret"], PASSWORD)
    for secret in ("!!!!", "a" * 5000, "", None):
        with pytest.raises(InvalidInput) as e:
            staff.enable_totp(BY, "forge@hanoi.gov.vn", secret, "123456")
        assert e.value.field == "code"
    assert staff.accounts()[0]["totp"] is False

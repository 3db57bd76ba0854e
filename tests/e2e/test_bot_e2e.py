"""The bot end to end: its real handlers (fed through the Bot API seam) against the four service
processes of `langxanh up` on RabbitMQ, with its feed following the real public stream."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.texts import t
from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from tests.e2e.conftest import ROOT
from tests.e2e.test_up import wait_ping

ADMIN = Actor("admin-e2e", Role.ADMIN)
INSPECTOR = Actor("inspector-e2e", Role.INSPECTOR)


@pytest.fixture
def system(system_env):
    """`langxanh up` (no bot token: the test drives the bot itself), stopped at the end."""
    up = subprocess.Popen([sys.executable, "-m", "langxanh", "up"], env=system_env, cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for service in ("sites", "inspections", "manifests", "indicators"):
            wait_ping(system_env, service)
        yield system_env
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(40)
        except subprocess.TimeoutExpired:
            up.kill()


def settings_for(env: dict):  # type: ignore[no-untyped-def]
    from shared.kit.config import Settings, with_values

    return with_values(Settings(amqp_uri=env["AMQP_URI"], data_dir=Path(env["LANGXANH_DATA_DIR"]),
                                exchange=env["LANGXANH_EXCHANGE"], database_url=None), follow_catch_up_interval=1.0)


@asynccontextmanager
async def real_bot(env: dict):  # type: ignore[no-untyped-def]
    """The bot's Application over the real services, its feed threads and outbox sender running."""
    from bot.app import _started, _stopped, build_application
    from bot.client import PooledServices
    from bot.offline import RecordingRequest
    from bot.store import open_store

    settings = settings_for(env)
    request = RecordingRequest()
    app = build_application(settings, PooledServices(settings, size=4), open_store(settings), request=request)
    await app.initialize()
    await app.start()
    await _started(app)
    try:
        yield app, request
    finally:
        await app.stop()
        await _stopped(app)
        await app.shutdown()


async def until(predicate, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")


def register_site(env: dict) -> dict:
    with ServiceClient(actor=ADMIN, amqp_uri=env["AMQP_URI"]) as admin:
        return admin.sites.register_site(kind="craft_village", name="Vạn Phúc", trade="dệt lụa", old_district="ha-dong",
                                         location={"lat": 20.98, "lon": 105.77})


def call(env: dict, actor: Actor, service: str, rpc: str, **kw):  # type: ignore[no-untyped-def]
    with ServiceClient(actor=actor, amqp_uri=env["AMQP_URI"]) as c:
        return c.call(service, rpc, **kw)


def test_a_residents_report_becomes_an_incident_its_change_is_pushed_and_an_agency_is_told(system):
    from bot.offline import ChatDriver
    from bot.store import open_store

    site = register_site(system)

    async def story() -> None:
        async with real_bot(system) as (app, request):
            lan = ChatDriver(app, request, 5001)
            hoa = ChatDriver(app, request, 5002)
            code = call(system, ADMIN, "sites", "issue_link_code", role="inspector", ttl_hours=1)["code"]
            await hoa.send(f"/link {code}")
            await hoa.send("/subscribe")
            await hoa.press("subt:incident")
            await hoa.press("subt:next")
            await hoa.press("subc:all")
            hoa.replies()

            await lan.send("/report")
            await lan.press("cat:wastewater")
            await lan.send("van phuc")
            await lan.press(f"rsite:{site['id']}")
            await lan.send("Nước nhuộm đỏ xả thẳng ra kênh")
            await lan.press("rphotos:done")
            [filed] = await lan.press("rconfirm:yes")
            store = open_store(settings_for(system))
            mine = call(system, store.actor(5001), "inspections", "my_incidents")
            assert [i["site_id"] for i in mine] == [site["id"]] and mine[0]["ticket"] in filed

            pushed = await until(lambda: [r for r in hoa.replies() if r.startswith("🔔")])
            assert pushed[0].startswith("🔔 " + t("vi", "ev-incident_reported"))

            call(system, INSPECTOR, "inspections", "triage_incident", incident_id=mine[0]["id"],
                 category="wastewater", priority="high")
            [push] = await until(lambda: lan.replies())
            assert push == t("vi", "push-incident", ticket=mine[0]["ticket"], state=t("vi", "state-triaged"))

    asyncio.run(story())


def test_a_conversation_resumes_after_the_bot_restarts(system):
    from bot.offline import ChatDriver
    from bot.store import open_store

    async def first() -> None:
        async with real_bot(system) as (app, request):
            lan = ChatDriver(app, request, 5003)
            await lan.send("/report")
            await lan.press("cat:noise")
            await lan.location(21.0285, 105.8542)

    async def second() -> None:
        async with real_bot(system) as (app, request):
            lan = ChatDriver(app, request, 5003)
            assert await lan.send("Máy cắt kim loại chạy suốt đêm") == [t("vi", "report-photos", max=3)]
            await lan.press("rphotos:done")
            await lan.press("rconfirm:yes")

    asyncio.run(first())
    asyncio.run(second())
    store = open_store(settings_for(system))
    [incident] = call(system, store.actor(5003), "inspections", "my_incidents")
    assert incident["category"] == "noise" and incident["description"] == "Máy cắt kim loại chạy suốt đêm"


def test_a_business_files_a_manifest_that_the_transporter_and_the_facility_sign(system):
    from bot.offline import ChatDriver

    site = register_site(system)
    ids = {}
    for who, code, flags in (("generator", "E2E-GEN", {"hw_generator": True}),
                             ("transporter", "E2E-VT", {"transporter": True,
                                                        "licence": {"number": "VT-1", "waste_codes": ["16 01 06"]}}),
                             ("facility", "E2E-XL", {"treatment_facility": True,
                                                     "licence": {"number": "XL-1", "waste_codes": ["16 01 06"]}})):
        ids[who] = call(system, ADMIN, "sites", "register_establishment", site_id=site["id"], name=f"Cơ sở {code}",
                        form="enterprise", registration_code=code, **flags)["id"]
    roles = {"generator": "business", "transporter": "transporter", "facility": "treatment_facility"}
    codes = {who: call(system, ADMIN, "sites", "issue_link_code", role=roles[who], establishment_id=ids[who],
                       ttl_hours=1)["code"] for who in ids}

    async def story() -> None:
        async with real_bot(system) as (app, request):
            biz, truck, plant = (ChatDriver(app, request, uid) for uid in (5101, 5102, 5103))
            for chat, who in ((biz, "generator"), (truck, "transporter"), (plant, "facility")):
                await chat.send(f"/link {codes[who]}")

            async def found(chat, query, data):  # the sites' read model may take a moment to see a new one
                for _ in range(50):
                    await chat.send(query)
                    if any(d == data for _, d in chat.buttons()):
                        return await chat.press(data)
                    await asyncio.sleep(0.2)
                raise AssertionError(f"{query} not found")

            await biz.send("/manifest")
            await biz.press("mf:new")
            await found(biz, "E2E-VT", f"mft:{ids['transporter']}")
            await biz.press("mftm:done")
            await found(biz, "E2E-XL", f"mff:{ids['facility']}")
            await biz.press("mff2:no")
            await biz.send("29C-123.45")
            await biz.press("mfd:today")
            await biz.send("16 01 06")
            await biz.send("12,5")
            await biz.press("mfs:solid")
            await biz.press("mfpk:default")
            await biz.send("Hoá rắn")
            await biz.press("mfl:review")
            [filed] = await biz.press("mfr:send")
            assert t("vi", "mf-state-handed_over") in filed

            generator = Actor("e2e-gen", Role.BUSINESS, establishment=ids["generator"])
            [row] = call(system, generator, "manifests", "my_manifests")
            mid = row["id"]
            await truck.send("/manifest")
            await truck.press("mf:await")
            await truck.press(f"mfpick:{mid}")
            await plant.send("/manifest")
            await plant.press("mf:await")
            await plant.press(f"mfrecv:{mid}")
            await plant.send("12,5")
            await plant.press("mfrc:yes")
            await plant.press(t("vi", "mf-btn-treat", number=row["number"]))
            await plant.press("mftd:today")
            await plant.send("Hoá rắn, chôn lấp an toàn")
            [treated] = await plant.press("mfrt:yes")
            assert t("vi", "mf-state-treated") in treated
            doc = call(system, generator, "manifests", "get_manifest", manifest_id=mid)
            assert doc["state"] == "treated" and doc["received"]["lines"][0]["quantity_kg"] == 12.5

    asyncio.run(story())


def test_langxanh_chat_runs_the_handlers_in_the_terminal_and_bot_needs_a_token(system):
    from tests.e2e.conftest import run_cli

    register_site(system)

    def chat(*args: str, stdin: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "langxanh", "chat", *args], env=system, cwd=ROOT, input=stdin,
                              capture_output=True, text=True, timeout=120)

    resident = chat(stdin="/status van phuc\n:quit\n")
    assert resident.returncode == 0, resident.stderr
    assert "🤖 Làng nghề Vạn Phúc" in resident.stdout and "🤖 • Ngành nghề: dệt lụa" in resident.stdout
    assert "[1] Tiếng Việt  [2] English" in resident.stdout  # /start's buttons, numbered

    business = chat("--as", "business", "--lang", "en", stdin="/manifest\n1\n:quit\n")
    assert business.returncode == 0, business.stderr
    assert "🤖 Account linked: business / waste generator — Xưởng gốm Demo (chủ nguồn thải)." in business.stdout
    assert "Step 1/5" in business.stdout  # [1] pressed "New manifest"

    assert chat("--as", "mayor", stdin="").returncode == 2
    no_token = run_cli({k: v for k, v in system.items() if k != "TELEGRAM_BOT_TOKEN"}, "bot")
    assert no_token.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in no_token.stderr


def test_langxanh_demo_drives_the_scenario_through_the_bot_and_prints_the_targets(system):
    from tests.e2e.conftest import run_cli

    done = run_cli(system, "demo", "--residents", "3", "--reports", "2", "--manifests", "2", "--villages", "3",
                   timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "0 refused or failed" in done.stdout
    for command in ("inspections.report_incident 6", "manifests.treat 2", "sites.classify_site 3",
                    "inspections.resolve_incident 6"):
        assert command in done.stdout, done.stdout[-2000:]
    assert "villages_classified" in done.stdout and "hw_treated" in done.stdout

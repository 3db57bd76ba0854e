"""`langxanh chat`: the bot's real handlers in the terminal, against the running services.

No Telegram: updates are built from what you type and fed to the same Application the bot
runs; what the bot sends is printed, buttons numbered. Type a number to press a button,
`:loc LAT LON` to send a location, `:photo PATH` to send a photo, `:quit` (or Ctrl-D) to leave.
`--as ROLE` links this console user first (a link code issued as an admin, then `/link CODE`),
registering a demo establishment (at Bát Tràng, or the first site) for business roles when there is none.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.app import build_application
from bot.client import PooledServices
from bot.offline import ChatDriver, RecordingRequest, Sent
from bot.store import open_store
from shared import reference
from shared.contracts.sites_answers import SiteListing, SiteSummary, Written
from shared.contracts.sites_links import LinkCodeIssued
from shared.kit.actor import Actor, Role
from shared.kit.config import Settings

CONSOLE_USER = 424242
ADMIN = Actor(id="console-admin", role=Role.ADMIN)
DEMO = {  # registration code → flags of the demo establishment for a role
    "business": ("DEMO-CHU-NGUON", "Xưởng gốm Demo (chủ nguồn thải)", {"hw_generator": True}),
    "transporter": ("DEMO-VAN-CHUYEN", "Công ty vận chuyển CTNH Demo", {"transporter": True}),
    "treatment_facility": ("DEMO-XU-LY", "Nhà máy xử lý CTNH Demo", {"treatment_facility": True}),
}


def show(sent: Sent, out=sys.stdout) -> None:  # type: ignore[no-untyped-def]
    out.write("\n" + "\n".join(f"🤖 {line}" for line in (sent.text or "").splitlines()) + "\n")
    n = 0
    for row in sent.buttons:
        labels = []
        for label, _data in row:
            n += 1
            labels.append(f"[{n}] {label}")
        out.write("   " + "  ".join(labels) + "\n")
    out.flush()


async def demo_establishment(services: PooledServices, role: str) -> str:
    code, name, flags = DEMO[role]
    waste_codes = [c["code"] for c in reference.load("waste_codes.json")["codes"]]
    found = [SiteSummary.model_validate(s) for s in
             await services.call(ADMIN, "sites", "search_sites", query="Bát Tràng", limit=1)]
    found = found or SiteListing.model_validate(await services.call(ADMIN, "sites", "list_sites", limit=1)).sites
    if not found:
        raise SystemExit("no site is registered yet: run `langxanh seed` first")
    site = found[0]
    licence = {"number": f"{code}-GP", "waste_codes": waste_codes} if role != "business" else None
    answer = Written.model_validate(await services.call(
        ADMIN, "sites", "register_establishment", command_id=f"console:demo:{code}", site_id=str(site.id), name=name,
        form="enterprise", registration_code=code, trades=["demo"], licence=licence, **flags))
    return str(answer.id)


async def link_as(services: PooledServices, role: str) -> str:
    establishment = await demo_establishment(services, role) if role in DEMO else None
    answer = LinkCodeIssued.model_validate(await services.call(
        ADMIN, "sites", "issue_link_code", role=role, establishment_id=establishment, ttl_hours=1))
    return answer.code


async def console(settings: Settings, role: str | None, lang: str = "vi") -> None:
    services = PooledServices(settings, size=2)
    store = open_store(settings, "bot_console")
    request = RecordingRequest()
    app = build_application(settings, services, store, request=request, name="bot-console")
    await app.initialize()
    await app.start()
    from bot.app import _started

    await _started(app)  # the feed and the outbox sender, as in the real bot
    chat = ChatDriver(app, request, CONSOLE_USER, first_name="Console")
    printed = 0

    async def printer() -> None:
        nonlocal printed
        while True:
            mine = chat.mine()
            for sent in mine[printed:]:
                show(sent)
            printed = len(mine)
            await asyncio.sleep(0.2)

    task = asyncio.create_task(printer())
    try:
        if lang != "vi":
            await chat.send("/start")
            await chat.press(f"lang:{lang}")
        if role and role != "resident":
            code = await link_as(services, role)
            print(f"⚙ /link {code}")
            await chat.send(f"/link {code}")
        else:
            await chat.send("/start")
        while True:
            await asyncio.sleep(0.3)  # let the printer catch up before the prompt
            try:
                line = (await asyncio.to_thread(input, "› ")).strip()
            except EOFError:
                break
            if not line:
                continue
            if line in (":quit", ":q"):
                break
            try:
                if line.isdigit():
                    buttons = chat.buttons()
                    index = int(line) - 1
                    if not 0 <= index < len(buttons):
                        print(f"⚠ no button {line}")
                        continue
                    await chat.press(buttons[index][1])
                elif line.startswith(":loc"):
                    _, lat, lon = line.split()
                    await chat.location(float(lat), float(lon))
                elif line.startswith(":photo"):
                    await chat.photo(Path(line.split(maxsplit=1)[1]).expanduser().read_bytes())
                else:
                    await chat.send(line)
            except (ValueError, OSError, IndexError, LookupError) as e:
                print(f"⚠ {e}")
    finally:
        task.cancel()
        await asyncio.sleep(0.3)
        mine = chat.mine()
        for sent in mine[printed:]:
            show(sent)
        from bot.app import _stopped

        await app.stop()
        await _stopped(app)
        await app.shutdown()

"""`langxanh demo`: a realistic scenario through the bot's real handlers against running services.

Residents report incidents by chat (/report); inspectors triage, assign, verify and resolve them,
inspecting some and recording violations that the business remedies (RPC, as staff tools do);
businesses file hazardous-waste manifests by chat (/manifest) that transporters pick up and
facilities receive and treat by chat; the agency classifies villages, records their Art. 56
conditions and cluster plants — then the four targets are printed. Sizes are parameters; each
step reports progress. It is also the load generator: `run()` answers how many commands were
acknowledged and which failed.
"""
from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from shared.contracts.sites_answers import SiteListing, Written
from shared.contracts.sites_links import LinkCodeIssued
from shared.kit.actor import SYSTEM, Actor, Role
from shared.kit.calendar import local_date
from shared.kit.config import Settings, with_values
from shared.kit.errors import LangXanhError, NotFound

ADMIN = Actor("demo-admin", Role.ADMIN)
AGENCY = Actor("demo-agency", Role.AGENCY)
INSPECTOR = Actor("demo-inspector", Role.INSPECTOR)
CATEGORIES = ("wastewater", "smoke_odour", "dust", "noise", "open_burning", "illegal_dumping")
WASTE = ("16 01 06", "Hoá rắn")
TARGETS = ("hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions")
CONDITIONS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")
Progress = Callable[[str, int, int], None]


@dataclass
class Sizes:
    residents: int = 10
    reports: int = 2            # per resident (at most the bot's daily limit)
    manifests: int = 5
    villages: int = 10
    violation_share: float = 0.3
    seed: int = 307


@dataclass
class Outcome:
    acknowledged: Counter = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)
    manifests: list[str] = field(default_factory=list)
    targets: dict = field(default_factory=dict)

    @property
    def commands(self) -> int:
        return sum(self.acknowledged.values())


class Demo:
    def __init__(self, settings: Settings, sizes: Sizes, progress: Progress = lambda step, done, total: None,
                 services: Any = None) -> None:
        self.settings = with_values(settings, bot_reports_per_day=max(settings.bot.reports_per_day, sizes.reports))
        self.sizes = sizes
        self.progress = progress
        self.rng = random.Random(sizes.seed)
        self.run_id = uuid.uuid4().hex[:6].upper()
        self.services = services
        self.out = Outcome()
        self.generator_villages = 0

    # -- plumbing --------------------------------------------------------------------------------
    async def call(self, actor: Actor, service: str, rpc: str, **kwargs: Any) -> Any:
        """A staff command over RPC; a refusal is recorded, not raised."""
        try:
            answer = await self.services.call(actor, service, rpc, **kwargs)
        except LangXanhError as e:
            self.out.failed.append(f"{service}.{rpc}: {type(e).__name__}: {e}")
            return None
        self.out.acknowledged[f"{service}.{rpc}"] += 1
        return answer

    async def eventually(self, actor: Actor, service: str, rpc: str, seconds: float = 30.0, **kwargs: Any) -> Any:
        """A call that may first need the service's follower to catch up (NotFound meanwhile)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            try:
                answer = await self.services.call(actor, service, rpc, **kwargs)
                self.out.acknowledged[f"{service}.{rpc}"] += 1
                return answer
            except NotFound:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                await asyncio.sleep(0.3)

    def chat_says(self, replies: list[str], what: str) -> None:
        """A chat step that did not get where it should is a failure of the demo, kept for the end."""
        self.out.failed.append(f"{what}: {replies[-1][:200] if replies else 'no reply'}")

    # -- the scenario ----------------------------------------------------------------------------
    async def run(self) -> Outcome:
        from bot.app import build_application
        from bot.offline import ChatDriver, RecordingRequest
        from bot.store import open_store
        from shared.kit.pool import PooledServices

        own = self.services is None
        self.services = self.services or PooledServices(self.settings, size=8, timeout=self.settings.rpc_timeout)
        self.store = open_store(self.settings, "bot_demo")
        request = RecordingRequest()
        app = build_application(self.settings, self.services, self.store, request=request, follow=False,
                                name="bot-demo")
        await app.initialize()
        await app.start()  # the job queue: conversation timeouts, as in the real bot
        base = random.SystemRandom().randrange(10**8, 9 * 10**8)  # fresh chats every run (the scenario is seeded)
        self.chat = lambda n: ChatDriver(app, request, base + n)  # noqa: E731
        try:
            sites = await self.places()
            parties = await self.establishments(sites)
            await self.residents_report(sites)
            await self.inspectors_work(parties)
            await self.manifests_by_chat(parties)
            await self.agency_classifies(sites)
            self.out.targets = await self.targets()
        finally:
            await app.stop()
            await app.shutdown()
            if own:
                self.services.close()
        return self.out

    async def places(self) -> dict:
        listing = SiteListing.model_validate(await self.call(SYSTEM, "sites", "list_sites", limit=1000))
        if not listing.sites:
            from shared.seed import seed_steps

            steps = seed_steps()
            for i, s in enumerate(steps):
                await asyncio.to_thread(s.run, _Sync(self.services, SYSTEM))
                self.progress("seed Hanoi", i + 1, len(steps))
            listing = SiteListing.model_validate(await self.call(SYSTEM, "sites", "list_sites", limit=1000))
        sites = listing.sites
        villages = [s for s in sites if s.kind == "craft_village" and s.recognition and s.location]
        clusters = [s for s in sites if s.kind == "industrial_cluster"]
        if not villages:
            raise RuntimeError("no recognised village with a location: seed Hanoi first (langxanh seed)")
        return {"villages": villages, "clusters": clusters}

    async def establishments(self, sites: dict) -> dict:
        """A generator in each of a few villages, one transporter, one facility; and chats linked."""
        codes = [WASTE[0]]
        n = self.generator_villages = max(1, min(5, self.sizes.manifests, len(sites["villages"])))
        specs = [(f"DEMO{self.run_id}G{i}", f"Xưởng demo {i} ({v.name})", str(v.id), {"hw_generator": True})
                 for i, v in enumerate(sites["villages"][:n])]
        specs.append((f"DEMO{self.run_id}VT", f"Vận chuyển CTNH demo {self.run_id}", str(sites["villages"][0].id),
                      {"transporter": True, "licence": {"number": f"VT-{self.run_id}", "waste_codes": codes}}))
        specs.append((f"DEMO{self.run_id}XL", f"Xử lý CTNH demo {self.run_id}", str(sites["villages"][0].id),
                      {"treatment_facility": True, "licence": {"number": f"XL-{self.run_id}", "waste_codes": codes}}))
        made = []
        for i, (code, name, site_id, flags) in enumerate(specs):
            answer = Written.model_validate(await self.call(
                ADMIN, "sites", "register_establishment", command_id=f"demo:{code}", site_id=site_id, name=name,
                form="enterprise", registration_code=code, **flags))
            made.append({"id": str(answer.id), "code": code, "site_id": site_id, "name": name})
            self.progress("establishments", i + 1, len(specs))
        generators, transporter, facility = made[:-2], made[-2], made[-1]
        roles = [("business", g) for g in generators] + [("transporter", transporter),
                                                         ("treatment_facility", facility)]
        for i, (role, est) in enumerate(roles):
            code = LinkCodeIssued.model_validate(await self.call(
                ADMIN, "sites", "issue_link_code", role=role, establishment_id=est["id"], ttl_hours=2)).code
            est["chat"] = self.chat(1000 + i)
            replies = await est["chat"].send(f"/link {code}")
            if not any(est["name"] in r for r in replies):
                self.chat_says(replies, f"/link {role}")
            est["actor"] = Actor(f"demo-{role}-{i}", Role(role), establishment=est["id"])
            self.progress("link accounts", i + 1, len(roles))
        return {"generators": generators, "transporter": transporter, "facility": facility}

    async def residents_report(self, sites: dict) -> None:
        total = self.sizes.residents * self.sizes.reports
        done = 0

        async def one_resident(r: int) -> None:
            nonlocal done
            chat = self.chat(r)
            for _ in range(self.sizes.reports):
                near = sites["villages"][:self.generator_villages]  # half the reports where businesses are
                village = self.rng.choice(near if near and self.rng.random() < 0.5 else sites["villages"])
                replies = [*await chat.send("/report"), *await chat.press(f"cat:{self.rng.choice(CATEGORIES)}")]
                if self.rng.random() < 0.5:
                    loc = village.location
                    await chat.location(round(loc.lat + self.rng.uniform(-0.003, 0.003), 6),
                                        round(loc.lon + self.rng.uniform(-0.003, 0.003), 6))
                else:
                    await chat.send(village.name)
                    if not any(data == f"rsite:{village.id}" for _, data in chat.buttons()):
                        self.chat_says(chat.replies(), "site search")
                        await chat.send("/cancel")
                        continue
                    await chat.press(f"rsite:{village.id}")
                await chat.send(self.rng.choice(["Nước thải đen chảy ra mương", "Khói mù mịt từ lò nung",
                                                 "Bụi từ bãi vật liệu", "Đốt rác thải nhựa ban đêm"]))
                await chat.press("rphotos:done")
                replies = await chat.press("rconfirm:yes")
                if not replies or "PA-" not in replies[-1]:
                    self.chat_says(replies, "/report")
                    continue
                self.out.acknowledged["inspections.report_incident"] += 1
                done += 1
                self.progress("residents report", done, total)

        await asyncio.gather(*(one_resident(r) for r in range(self.sizes.residents)))
        users = [str(self.chat(r).user["id"]) for r in range(self.sizes.residents)]
        if users:
            with self.store.db.transaction(commit=False) as cur:
                marks = ",".join(["%s"] * len(users))
                self.out.incidents = [r["incident_id"] for r in cur.execute(
                    f"SELECT incident_id FROM {{t:bot_tickets}} WHERE user_id IN ({marks}) ORDER BY created_at",
                    users).all()]

    async def inspectors_work(self, parties: dict) -> None:
        by_site = {g["site_id"]: g for g in parties["generators"]}
        catalogue = await self.call(INSPECTOR, "inspections", "sanction_catalogue")
        entry = next(e for e in catalogue["entries"] if e["article"] == 15 and not e.get("blocked")
                     and ((e.get("band_individual_vnd") or {}).get("max") or 0) > 0)
        fine = int(entry["band_individual_vnd"]["min"]) * int(catalogue.get("rules", {}).get("organisation_multiplier", 2))
        today = local_date(datetime.now(timezone.utc))
        for i, incident_id in enumerate(self.out.incidents):
            doc = await self.call(INSPECTOR, "inspections", "get_incident", incident_id=incident_id)
            if doc is None or doc["state"] != "reported":
                continue
            site_id = doc.get("site_id")
            await self.call(INSPECTOR, "inspections", "triage_incident", incident_id=incident_id,
                            category=doc["category"], priority=self.rng.choice(["normal", "high"]), site_id=site_id)
            await self.call(AGENCY, "inspections", "assign_incident", incident_id=incident_id, unit="Thanh tra Sở")
            generator = by_site.get(site_id)
            violation = None
            if generator and self.rng.random() < self.sizes.violation_share:
                violation = await self.violation(incident_id, site_id, generator, entry["code"], fine, today)
            await self.call(INSPECTOR, "inspections", "verify_incident", incident_id=incident_id,
                            finding="Xác minh tại hiện trường")
            await self.call(INSPECTOR, "inspections", "resolve_incident", incident_id=incident_id,
                            violation_id=violation, note="Đã xử lý theo quy định")
            self.progress("inspectors", i + 1, len(self.out.incidents))

    async def violation(self, incident_id: str, site_id: str, generator: dict, code: str, fine: int,
                        today: date) -> str | None:
        inspection = await self.call(INSPECTOR, "inspections", "schedule_inspection", kind="unannounced",
                                     scheduled_for=today.isoformat(), site_id=site_id, incident_ids=[incident_id])
        if inspection is None:
            return None
        await self.call(INSPECTOR, "inspections", "conduct_inspection", inspection_id=inspection["id"],
                        conducted_on=today.isoformat(), team=["Đoàn thanh tra"], findings="Lấy mẫu nước thải",
                        samples=[{"parameter": "COD", "value": 310.0, "unit": "mg/L"}])
        recorded = await self.eventually(INSPECTOR, "inspections", "record_violation",
                                         establishment_id=generator["id"], catalogue_code=code,
                                         description="Xả nước thải vượt quy chuẩn", offender_type="organisation",
                                         fine_vnd=fine, inspection_id=inspection["id"], remedial_measures=[
                                             {"measure": "Lắp hệ thống xử lý nước thải",
                                              "deadline": (today + timedelta(days=60)).isoformat()}])
        await self.call(INSPECTOR, "inspections", "conclude_inspection", inspection_id=inspection["id"],
                        violation_ids=[recorded["id"]], summary="1 vi phạm")
        await self.call(AGENCY, "inspections", "decide_sanction", violation_id=recorded["id"],
                        decision_number=f"QĐ {self.rng.randrange(1, 999)}/QĐ-XPHC", decided_on=today.isoformat(),
                        fine_vnd=fine, authority="commune_chair")
        await self.call(generator["actor"], "inspections", "submit_evidence", violation_id=recorded["id"],
                        text="Đã lắp đặt và vận hành hệ thống xử lý")
        await self.call(INSPECTOR, "inspections", "review_evidence", violation_id=recorded["id"], accepted=True,
                        note="Đạt")
        return recorded["id"]

    async def manifests_by_chat(self, parties: dict) -> None:
        transporter, facility = parties["transporter"], parties["facility"]
        total = self.sizes.manifests
        for i in range(total):
            generator = parties["generators"][i % len(parties["generators"])]
            try:
                await self.one_manifest(generator, transporter, facility)
            except LookupError as e:  # a button that was not there: the chat went elsewhere
                self.out.failed.append(f"/manifest: {e}"[:300])
                for chat in (generator["chat"], transporter["chat"], facility["chat"]):
                    await chat.send("/cancel")
            self.progress("manifests", i + 1, total)

    async def one_manifest(self, generator: dict, transporter: dict, facility: dict) -> None:
        biz, kg = generator["chat"], str(self.rng.randrange(5, 400))
        await biz.send("/manifest")
        await biz.press("mf:new")
        for query, data, then in ((transporter["code"], f"mft:{transporter['id']}", "mftm:done"),
                                  (facility["code"], f"mff:{facility['id']}", "mff2:no")):
            await biz.send(query)
            await biz.press(data)
            await biz.press(then)   # one transporter, no second facility
        await biz.send(f"29C-{self.rng.randrange(100, 999)}.{self.rng.randrange(10, 99)}")
        await biz.press("mfd:today")
        await biz.send(WASTE[0])
        await biz.send(kg)
        await biz.press("mfs:solid")
        await biz.press("mfpk:default")
        await biz.send(WASTE[1])
        await biz.press("mfl:review")
        replies = await biz.press("mfr:send")
        if not replies or "BOT-" not in replies[-1]:
            self.chat_says(replies, "/manifest file")
            await biz.send("/cancel")
            return
        self.out.acknowledged["manifests.create_manifest"] += 1
        self.out.acknowledged["manifests.sign_handover"] += 1
        mine = await self.call(generator["actor"], "manifests", "my_manifests")
        number = replies[-1].split("BOT-", 1)[1].split()[0].rstrip(".")
        manifest = next(m for m in mine if m["number"] == f"BOT-{number}")
        self.out.manifests.append(manifest["id"])
        truck, plant = transporter["chat"], facility["chat"]
        await truck.send("/manifest")
        await truck.press("mf:await")
        if (await truck.press(f"mfpick:{manifest['id']}")):
            self.out.acknowledged["manifests.sign_pickup"] += 1
        await plant.send("/manifest")
        await plant.press("mf:await")
        await plant.press(f"mfrecv:{manifest['id']}")
        await plant.press("mfsame:all" if any(d == "mfsame:all" for _, d in plant.buttons()) else "mfsame:one")
        await plant.press("mfrc:yes")
        await plant.press(f"mftreat:{manifest['id']}")
        await plant.press("mftd:today")
        await plant.send("Hoá rắn, chôn lấp an toàn")
        replies = await plant.press("mfrt:yes")
        state = (await self.call(generator["actor"], "manifests", "get_manifest", manifest_id=manifest["id"]))
        if state and state["state"] == "treated":
            self.out.acknowledged["manifests.receive"] += 1
            self.out.acknowledged["manifests.treat"] += 1
        else:
            self.chat_says(replies, "/manifest receive and treat")

    async def agency_classifies(self, sites: dict) -> None:
        today = local_date(datetime.now(timezone.utc)).isoformat()
        chosen = sites["villages"][: self.sizes.villages]
        for i, v in enumerate(chosen):
            levels = ["not_polluted", "polluted"]
            await self.call(AGENCY, "sites", "classify_site", command_id=f"demo:{v.id}:classify:{today}",
                            site_id=str(v.id), classified_on=today, water=self.rng.choice(levels),
                            air=self.rng.choice(levels), soil="not_polluted", assessor="Sở NN&MT Hà Nội",
                            legal_basis="Thông tư 31/2016/TT-BTNMT")
            for item in CONDITIONS:
                state = "met" if self.rng.random() < 0.7 else "not_met"
                await self.call(AGENCY, "sites", "set_condition", command_id=f"demo:{v.id}:{item}:{today}",
                                site_id=str(v.id), item=item, state=state, checked_on=today)
            self.progress("villages classified", i + 1, len(chosen))
        for c in sites["clusters"][: max(1, self.sizes.villages // 3)]:
            await self.call(AGENCY, "sites", "set_wwtp", command_id=f"demo:{c.id}:wwtp:{today}", site_id=str(c.id),
                            status="operating", capacity_m3_day=500.0, since=today)

    async def targets(self) -> dict:
        """The four targets this quarter, city-wide, once the indicators have caught up."""
        today = local_date(datetime.now(timezone.utc))
        period = f"{today.year}Q{(today.month - 1) // 3 + 1}"
        last, stable = None, 0
        for _ in range(60):
            figures = (await self.services.call(SYSTEM, "indicators", "figures", period=period,
                                                unit="city:hanoi")).get("city:hanoi", {})
            now = {t: (figures.get(t, {}).get("numerator"), figures.get(t, {}).get("denominator")) for t in TARGETS}
            stable = stable + 1 if now == last else 0
            if stable >= 3:
                break
            last = now
            await asyncio.sleep(0.5)
        return {"period": period, **{t: figures.get(t, {}) for t in TARGETS}}


class _Sync:
    """`c.sites.register_site(...)` over the async pool, for the seed steps run in a thread."""

    def __init__(self, services: Any, actor: Actor) -> None:
        self.services, self.actor = services, actor
        self.loop = asyncio.get_event_loop()

    def __getattr__(self, service: str) -> Any:
        outer = self

        class _Service:
            def __getattr__(self, rpc: str):  # type: ignore[no-untyped-def]
                def call(**kw: Any) -> Any:
                    return asyncio.run_coroutine_threadsafe(outer.services.call(outer.actor, service, rpc, **kw),
                                                            outer.loop).result()

                return call

        return _Service()

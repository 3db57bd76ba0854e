"""/monitoring (issue 16): a linked establishment files its periodic monitoring results — the sampling
day, the results as text (every line checked, the bad one named), the laboratory's document if any
(its size judged from Telegram's metadata before any download), a card, then the filing with the
inspections service's evaluation shown. Against the four services in-process: what the chat says is
checked against what the service recorded."""
from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from hypothesis import given, settings, strategies as st

from bot.errors import describe
from bot.flows import monitoring as mon
from bot.flows.manifest.parse import fmt_date, today
from bot.texts import t
from services.inspections import documents as docs
from shared.kit.actor import SYSTEM, Actor, Role
from tests.application.reports_world import pdf
from tests.bot.manifest_chat import T, linked
from tests.bot.manifest_fixtures import ADMIN, Parties, parties  # noqa: F401  (the fixture)

PDF_TYPE = "application/pdf"
TABLE = "QCVN 40:2011/BTNMT B"
ASSUMED = T("mon-reason-transition_assumed", existing_before="01/09/2025", until="31/12/2031")


def filed(p: Parties, who: str, year: int) -> list[dict]:
    """The monitoring filings of `year` as the inspections service has them (the establishment asks)."""
    actor = Actor(id=f"owner-{who}-{p.sfx}", role=Role.BUSINESS, establishment=p.ids[who])
    return p.cluster.call_sync(actor, "inspections", "reporting_year", establishment_id=p.ids[who],
                               year=year)["monitoring"]


def files(w) -> int:  # type: ignore[no-untyped-def]
    return w.cluster.calls.count(("inspections", "file_monitoring_results"))


def row(name: str, value: str, unit: str, limit: str, factor: str | None = None) -> str:
    args = {"name": name, "value": value, "unit": unit, "limit": limit}
    return T("mon-row-over", factor=factor, **args) if factor else T("mon-row-within", **args)


async def to_results(chat) -> None:  # type: ignore[no-untyped-def]
    assert await chat.send("/monitoring") == [T("mon-ask-date", example=fmt_date(today()))]
    assert chat.buttons() == [(T("btn-mon-today"), "mon:today"), (T("btn-mon-yesterday"), "mon:yesterday"),
                              (T("btn-cancel"), "mon:cancel")]
    assert await chat.press("mon:today") == [T("mon-ask-results", day=fmt_date(today()), lines=100, chars=100)]


def permitted(p: Parties, key: str, discharge: dict) -> None:
    """One more business at the parties' site, with a GPMT carrying these discharge terms."""
    name = f"Xưởng dệt nhuộm {key} {p.sfx}"
    answer = p.cluster.call_sync(SYSTEM, "sites", "register_establishment", site_id=p.site_id, name=name,
                                 form="enterprise", registration_code=f"{key}{p.sfx}",
                                 permit={"type": "GPMT", "number": f"9/GPMT-{p.sfx}", "date": "2021-03-01",
                                         "discharge": discharge})
    p.ids[key], p.names[key] = answer["id"], name


async def linked_as(w, user_id: int, p: Parties, key: str):  # type: ignore[no-untyped-def]
    chat = w.chat(user_id)
    code = p.cluster.call_sync(ADMIN, "sites", "issue_link_code", role="business", establishment_id=p.ids[key])
    assert await chat.send(f"/link {code['code']}") == [
        T("link-done", role=T("role-business"), name=p.names[key])]
    return chat


def test_a_business_files_results_with_a_document_and_sees_each_parameter_against_its_limit(world, parties):
    p, day = parties, today()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6201, p, "plain")
        await to_results(biz)
        before = files(w)
        assert await biz.send("COD 80 mg/l\npH 9,5 -\n• Amoni 20 mg/l\nTSS: 45,5 mg/L Kq=0,9") == [
            T("mon-ask-document", count=4, mb=10)]
        assert biz.buttons() == [(T("btn-mon-skip"), "mon:skip"), (T("btn-cancel"), "mon:cancel")]
        sheet = pdf(b"1 0 obj << /Title (Phieu ket qua) >> endobj\n")
        card = await biz.document(sheet, "ketqua.pdf", PDF_TYPE)
        assert card == [T("mon-card", day=fmt_date(day), count=4, document=T("mon-card-document", kind="PDF", kb=1),
                          lines="\n".join([T("mon-card-line", name="COD", value="80", unit="mg/L", factors=""),
                                           T("mon-card-line", name="pH", value="9,5", unit="-", factors=""),
                                           T("mon-card-line", name="NH4_N", value="20", unit="mg/L", factors=""),
                                           T("mon-card-line", name="TSS", value="45,5", unit="mg/L",
                                             factors=" Kq=0,9")]))]
        assert filed(p, "plain", day.year) == [] and files(w) == before  # nothing filed before the confirmation
        answer = await biz.press("mon:confirm")
        [record] = filed(p, "plain", day.year)
        assert record["document"]["sha256"] == hashlib.sha256(sheet).hexdigest()
        assert record["sampled_on"] == day.isoformat() and record["exceeded"] is True
        assert [(s["parameter"], s["value"], s["exceeds"]) for s in record["samples"]] == [
            ("COD", 80.0, False), ("pH", 9.5, True), ("NH4_N", 20.0, True), ("TSS", 45.5, False)]
        assert answer == [T("mon-filed", day=fmt_date(day), ref=day.isoformat(), table=TABLE, version="2011",
                            reason=ASSUMED, verdict=T("mon-verdict-over", count=2, total=4), rows="\n".join([
                                row("COD", "80", " mg/L", T("mon-limit-max", high="150", unit=" mg/L")),
                                row("pH", "9,5", "", T("mon-limit-range", low="5,5", high="9", unit=""), "1,056"),
                                row("NH4_N", "20", " mg/L", T("mon-limit-max", high="10", unit=" mg/L"), "2"),
                                row("TSS", "45,5", " mg/L", T("mon-limit-max", high="90", unit=" mg/L"))]))]
        assert await biz.send("/cancel") == [T("cancel-nothing")]  # the conversation is over, no draft left

    world.run(story)


def test_the_permits_stricter_limit_and_its_transition_are_said_and_all_within_says_so(world, parties):
    p, day = parties, today()
    permitted(p, "STRICT", {"operating_since": "2019-06-01", "limits": [{"parameter": "COD", "unit": "mg/L",
                                                                         "max": 100}]})

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked_as(w, 6202, p, "STRICT")
        await to_results(biz)
        await biz.send("COD 120 mg/l")
        assert await biz.send("bỏ qua") == [T("mon-card", day=fmt_date(day), count=1,
                                               document=T("mon-card-no-document"),
                                               lines=T("mon-card-line", name="COD", value="120", unit="mg/L",
                                                       factors=""))]
        reason = T("mon-reason-transition", existing_before="01/09/2025", until="31/12/2031")
        limit = T("mon-limit-max", high="100", unit=" mg/L") + " " + T("mon-limit-permit")
        assert await biz.press(T("btn-mon-confirm")) == [T(
            "mon-filed", day=fmt_date(day), ref=day.isoformat(), table=TABLE, version="2011", reason=reason,
            rows=row("COD", "120", " mg/L", limit, "1,2"), verdict=T("mon-verdict-over", count=1, total=1))]
        [record] = filed(p, "STRICT", day.year)
        assert record["samples"][0]["limit_source"] == "permit" and record["document"] is None
        # yesterday's results, all within: the verdict says so
        await biz.send("/monitoring")
        assert await biz.press("mon:yesterday") == [T("mon-ask-results", day=fmt_date(day - timedelta(days=1)),
                                                      lines=100, chars=100)]
        await biz.send("pH 7,2")
        await biz.press("mon:skip")
        replies = await biz.press("mon:confirm")
        assert replies[0].endswith(T("mon-verdict-within", total=1)), replies
        assert len(filed(p, "STRICT", (day - timedelta(days=1)).year)) == (2 if day.month > 1 or day.day > 1 else 1)

    world.run(story)


def test_results_the_table_in_force_cannot_evaluate_are_refused_whole_and_nothing_is_kept(world, parties):
    p, day = parties, today()
    permitted(p, "NEW", {"operating_since": "2026-01-05"})  # a new facility: QCVN 40:2025, shipped without values

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked_as(w, 6203, p, "NEW")
        await to_results(biz)
        await biz.send("COD 80 mg/l")
        await biz.press("mon:skip")
        assert await biz.press("mon:confirm") == [T("mon-not-evaluable", day=fmt_date(day),
                                                    lacking="QCVN 13-MT:2015/BTNMT, QCVN 40:2025/BTNMT")]
        assert filed(p, "NEW", day.year) == []
        assert await biz.send("/cancel") == [T("cancel-nothing")]  # nothing left open

    world.run(story)


def test_every_bad_line_is_refused_by_its_number_and_nothing_is_filed(world, parties):
    p, day = parties, today()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6204, p, "plain")
        await to_results(biz)
        before = files(w)
        bad = {
            "COD 80 mg/l\nBOD5 ba mươi mg/l": T("mon-line-bad", line=2, text="BOD5 ba mươi mg/l"),
            "COD 80 mg/l\n\nTSS 45": T("mon-line-no-unit", line=3, text="TSS 45"),
            "pH 7\nĐộ đục 5 NTU": T("mon-line-unknown", line=2, name="Độ đục", examples="COD, BOD5, TSS, pH, NH4_N"),
            "pH 15 -": T("mon-line-range", line=1, text="pH 15 -", max="14"),
            "COD 2000000000 mg/l": T("mon-line-range", line=1, text="COD 2000000000 mg/l", max="1.000.000.000"),
            "COD 80 g/m3": T("mon-line-unit", line=1, name="COD", unit="g/m3", expected="mg/L"),
            "COD <5 mg/l": T("mon-line-bad", line=1, text="COD <5 mg/l"),
            "Coliform 3.000 MPN/100ml": T("mon-line-ambiguous", line=1, text="Coliform 3.000 MPN/100ml", value="3.000",
                                          whole="3000", decimal="3"),
            "Pb 1,500 mg/l": T("mon-line-ambiguous", line=1, text="Pb 1,500 mg/l", value="1,500", whole="1500",
                               decimal="1,5"),
            "COD 80 mg/l\ncod 90 mg/l": T("mon-line-twice", line=2, name="COD", first=1),
            "COD 80 mg/l Kf=3": T("mon-line-factor", line=1, text="COD 80 mg/l Kf=3", max="2"),
            "COD 80 mg/l\n" + "COD " + "9" * 100 + " mg/l": T("mon-line-too-long", line=2, text="COD " + "9" * 35 + "…",
                                                           max=100),
            "\n".join(f"COD {i} mg/l" for i in range(101)): T("mon-results-too-many", max=100),
            "COD 1 mg/l\n" * 400 + "pH 7": T("mon-results-too-long", max=4000),
        }
        for text, refusal in bad.items():
            assert await biz.send(text) == [refusal], text
        assert await biz.sticker() == [T("mon-results-expected")]
        assert files(w) == before and filed(p, "plain", day.year) == []
        # the same step takes good results afterwards
        assert await biz.send("COD 80 mg/l") == [T("mon-ask-document", count=1, mb=10)]
        assert await biz.send("đây là phiếu") == [T("mon-document-expected")]
        assert await biz.press(T("btn-cancel")) == [T("mon-cancelled")]
        assert files(w) == before and filed(p, "plain", day.year) == []

    world.run(story)


def test_a_future_day_or_one_before_2022_is_refused_and_the_step_stays(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6205, p, "plain")
        before = files(w)
        await biz.send("/monitoring")
        tomorrow = today() + timedelta(days=1)
        assert await biz.send(fmt_date(tomorrow)) == [T("mon-date-future", day=fmt_date(tomorrow),
                                                         today=fmt_date(today()))]
        assert await biz.send("31/12/2021") == [T("mon-date-early", day="31/12/2021", first="01/01/2022")]
        assert await biz.send("ngày mai") == [T("mon-date-bad", text="ngày mai", example=fmt_date(today()))]
        assert await biz.sticker() == [T("mon-date-again")]
        assert "sampled_on" not in w.app.user_data[6205]["monitoring"]  # nothing kept of the refused days
        assert await biz.send("hôm qua") == [T("mon-ask-results", day=fmt_date(today() - timedelta(days=1)),
                                               lines=100, chars=100)]
        assert files(w) == before

    world.run(story)


def test_a_resident_or_an_unlinked_account_is_refused_and_no_conversation_opens(world, parties):
    async def story(w):  # type: ignore[no-untyped-def]
        resident = w.chat(6206)
        assert await resident.send("/monitoring") == [T("mon-not-linked")]
        assert resident.buttons() == []
        assert "monitoring" not in (w.app.user_data.get(6206) or {})
        assert await resident.send("COD 80 mg/l") == [T("free-text")]  # no step is waiting for results

    world.run(story)


def test_a_double_tap_files_once_and_a_retry_after_a_lost_answer_keeps_the_command_id(world, parties):
    p, day = parties, today()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6207, p, "generator")
        await to_results(biz)
        await biz.send("COD 80 mg/l")
        await biz.press("mon:skip")
        before = files(w)
        first = await biz.press("mon:confirm")
        assert first[0].startswith(T("mon-filed", day=fmt_date(day), ref=day.isoformat(), table=TABLE,
                                     version="2011", reason=ASSUMED, rows="", verdict="").split("\n")[0])
        assert await biz.press("mon:confirm") == [T("stale-button")]  # the second tap: the card is spent
        assert len(filed(p, "generator", day.year)) == 1 and files(w) == before + 1
        # the same day again is refused by the service, in the bot's words; the card stays
        await biz.send("/monitoring")
        await biz.press("mon:today")
        await biz.send("COD 70 mg/l")
        await biz.press("mon:skip")
        assert await biz.press("mon:confirm") == [T("err-at-ref--unique")]
        await biz.send("/cancel")

        # the service files but its answer is lost (an outage on the way back): the retry files once
        real = w.services.call
        lost = []

        async def lose_first_answer(actor, service, rpc, /, **kw):  # type: ignore[no-untyped-def]
            answer = await real(actor, service, rpc, **kw)
            if rpc == "file_monitoring_results" and not lost:
                from bot.client import Unavailable

                lost.append(kw["command_id"])
                raise Unavailable("the answer was lost (test)")
            return answer

        w.services.call = lose_first_answer
        await biz.send("/monitoring")
        await biz.press("mon:yesterday")
        await biz.send("COD 60 mg/l")
        await biz.press("mon:skip")
        assert await biz.press("mon:confirm") == [T("err-unavailable")]
        retried = await biz.press("mon:confirm")
        assert retried[0].startswith(T("mon-filed", day=fmt_date(day - timedelta(days=1)), ref="x", table="",
                                       version="", reason="", rows="", verdict="").split("(")[0])
        yesterday = (day - timedelta(days=1)).isoformat()
        mine = [m for y in {day.year, day.year - 1} for m in filed(p, "generator", y) if m["sampled_on"] == yesterday]
        assert len(mine) == 1 and lost and lost[0].startswith("bot-monitoring-")

    world.run(story)


def test_a_document_over_the_cap_is_refused_before_any_download_and_a_wrong_one_by_its_bytes(world, parties):
    p, day = parties, today()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6208, p, "plain")
        await to_results(biz)
        await biz.send("COD 80 mg/l")
        before = files(w)
        w.request.downloads.clear()
        stored = w.cluster.calls.count(("inspections", "store_report_document"))
        assert await biz.document(pdf(), "big.pdf", PDF_TYPE, file_size=docs.MAX_BYTES + 1) == [T("ar-too-big", mb=10)]
        assert w.request.downloads == []
        assert w.cluster.calls.count(("inspections", "store_report_document")) == stored
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
        assert await biz.document(png, "ketqua.pdf", PDF_TYPE) == [describe("vi", "invalid_input", "document", "file_type")]
        assert await biz.photo(b"\xff\xd8\xff" + b"\0" * 64) == [T("mon-document-expected")]
        assert filed(p, "plain", day.year) == [] and files(w) == before
        replies = await biz.document(pdf(), "ok.pdf", PDF_TYPE)  # a file within the cap at the same step
        assert replies[0].startswith(T("mon-card", day=fmt_date(day), count=1, lines="", document="").split("\n")[0])

    world.run(story)


def test_a_stale_button_of_a_finished_conversation_files_nothing(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6209, p, "plain")
        before = files(w)
        await biz.send("/monitoring")
        assert await biz.send("/cancel") == [T("mon-cancelled")]
        assert await biz.press("mon:today") == [T("stale-button")]
        assert files(w) == before

    world.run(story)


def test_the_flows_command_id_is_fresh_per_conversation(world, parties):
    p = parties

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6210, p, "plain")
        await biz.send("/monitoring")
        first = w.app.user_data[6210]["monitoring"]["command_id"]
        await biz.send("/monitoring")
        second = w.app.user_data[6210]["monitoring"]["command_id"]
        assert first != second and uuid.UUID(first.removeprefix("bot-monitoring-"))

    world.run(story)


def test_the_bots_cap_is_the_services_cap():
    assert mon.MAX_BYTES == docs.MAX_BYTES


def test_a_sample_the_service_refuses_sends_the_user_back_to_the_results_step(cluster, parties, tmp_path):
    """The bot reads the tables the service reads (LANGXANH_LIMIT_TABLES_DIR); when they differ, the
    service's refusal of a sample is said in the bot's words and the results are asked again."""
    import json

    from tests.bot.conftest import BotWorld

    extra = tmp_path / "tables"
    extra.mkdir()
    (extra / "lab.json").write_text(json.dumps({"table": "TEST-ONLY", "column": "X", "version": "1",
                                                "parameters": [{"code": "XYZ", "unit": "mg/L", "max": 1}]}))
    w, p, day = BotWorld(cluster, tmp_path, limit_tables_dir=extra), parties, today()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6212, p, "plain")
        await to_results(biz)
        await biz.send("COD 80 mg/l\nXYZ 0,5 mg/l")  # the bot knows XYZ, the inspections service does not
        await biz.press("mon:skip")
        assert await biz.press("mon:confirm") == [describe("vi", "invalid_input", "samples.parameter", "in_table"),
                                                  T("mon-results-again")]
        assert filed(p, "plain", day.year) == []
        assert await biz.send("COD 80 mg/l") == [T("mon-ask-document", count=1, mb=10)]
        await biz.press("mon:skip")
        assert (await biz.press("mon:confirm"))[0].endswith(T("mon-verdict-within", total=1))
        assert len(filed(p, "plain", day.year)) == 1

    w.run(story)


def test_in_english_the_evaluation_uses_points_and_english_words(world, parties):
    p, day = parties, today()

    async def story(w):  # type: ignore[no-untyped-def]
        biz = await linked(w, 6213, p, "transporter", lang="en")
        assert await biz.send("/monitoring") == [t("en", "mon-ask-date", example=fmt_date(day))]
        await biz.press("mon:today")
        await biz.send("pH 5.2")
        await biz.press(t("en", "btn-mon-skip"))
        [answer] = await biz.press(t("en", "btn-mon-confirm"))
        assert answer == t("en", "mon-filed", day=fmt_date(day), ref=day.isoformat(), table=TABLE, version="2011",
                           reason=t("en", "mon-reason-transition_assumed", existing_before="01/09/2025",
                                    until="31/12/2031"),
                           rows=t("en", "mon-row-over", name="pH", value="5.2", unit="", factor="1.058",
                                  limit=t("en", "mon-limit-range", low="5.5", high="9", unit="")),
                           verdict=t("en", "mon-verdict-over", count=1, total=1))

    world.run(story)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=120), st.sampled_from(["COD 80 mg/l", "pH 7,2 -", "pH 7", "TSS 1.5 MG/L",
                                                                   "Amoni 3,25 mg/l Kq=0,9", "COD 1,000 mg/l"])),
                max_size=110))
def test_any_text_is_read_into_valid_samples_or_refused_by_a_known_key(lines):
    """Whatever is typed: samples the contract accepts, or a refusal the catalogue has — never an exception."""
    from pydantic import TypeAdapter

    from bot.flows.monitoring_parse import BadResults, read_results
    from bot.texts import has
    from shared.contracts.inspections import Sample

    text = "\n".join(lines)
    try:
        samples = read_results(text, mon._catalogue(None))
    except BadResults as e:
        assert has("vi", e.key) and has("en", e.key), e.key
        return
    TypeAdapter(list[Sample]).validate_python(samples)
    assert 1 <= len(samples) <= 100 and len(text) <= 4000

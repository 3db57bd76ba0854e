"""Stories: a resident meets the services' refusals (a site that is not there, a step out of turn,
a thing not theirs, bad input) and reads only the bot's own words, in Vietnamese, or in English
once chosen; never the service's English message."""
from __future__ import annotations

import re
import uuid

from bot.texts import t
from shared.kit.actor import Actor, Role
from tests.bot.conftest import jpeg
from tests.bot.manifest_fixtures import parties  # noqa: F401  (the fixture)
from tests.bot.test_flows import file_report, incidents_of, issue_code, site_id

ENGLISH_WORDS = re.compile(r"\b(?:cannot|must|incident|resolved|closed|reporter|exists|already|such|found|"
                           r"invalid|input|should|allowed|only|that)\b", re.I)


def vietnamese_only(text: str) -> bool:
    return not ENGLISH_WORDS.search(text)


async def forged_press(chat, data: str) -> list[str]:  # type: ignore[no-untyped-def]
    """A callback whose data the bot never offered (an old or forged button): hostile input."""
    message = chat.request.messages[chat.mine()[-1].message_id]
    return await chat.feed(chat.update(callback_query={"id": "1", "from": chat.user, "chat_instance": "ci",
                                                      "data": data, "message": message}))


async def choose_english(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.send("/lang")
    await chat.press("lang:en")


def test_a_site_that_is_not_there_and_a_bad_site_code_are_explained_in_the_users_language(world):
    async def story(w):
        lan = w.chat(301)
        await lan.send("/start")
        [gone] = await forged_press(lan, f"st:{uuid.uuid4()}")  # a stale button: a site no longer in the registry
        assert gone == t("vi", "err-at-site_id--exists") and vietnamese_only(gone)
        [bad] = await forged_press(lan, "st:not-a-site")
        assert bad == t("vi", "err-rule-format", what=t("vi", "err-field-site_id")) and vietnamese_only(bad)
        await choose_english(lan)
        assert await forged_press(lan, f"st:{uuid.uuid4()}") == [t("en", "err-at-site_id--exists")]
        assert await forged_press(lan, "st:not-a-site") == [t("en", "err-rule-format", what=t("en", "err-field-site_id"))]
        assert site_id(w, "Bát Tràng")  # the registry answers: the refusals were about the codes

    world.run(story)


def test_reopening_a_report_that_was_closed_meanwhile_is_refused_in_words(world, staff):
    async def story(w):
        lan = w.chat(302)
        await file_report(lan)
        [incident] = incidents_of(w, 302)
        iid = incident["id"]
        staff("inspections", "triage_incident", incident_id=iid, category="wastewater", priority="normal")
        staff("inspections", "assign_incident", incident_id=iid, unit="Thanh tra Sở")
        staff("inspections", "verify_incident", incident_id=iid, finding="Xả thải chưa qua xử lý")
        staff("inspections", "resolve_incident", incident_id=iid, note="Đã yêu cầu khắc phục")
        await lan.send("/mine")
        await lan.press(incident["ticket"])
        await lan.press("minereopen")
        await lan.send("Vẫn còn xả thải ban đêm")
        # out of turn: while the resident finds a photo, staff close the report
        staff("inspections", "close_incident", incident_id=iid, reason="Đã khắc phục", reason_code="resolved")
        [refusal] = await lan.photo(jpeg((9, 9, 9)))
        assert refusal == t("vi", "err-rule-transition") and vietnamese_only(refusal)
        assert incidents_of(w, 302)[0]["state"] == "closed"
        await lan.send("/cancel")
        await choose_english(lan)
        await lan.send("/mine")
        await lan.press(incident["ticket"])  # closed: no buttons, nothing to reopen
        assert "minereopen" not in [data for _, data in lan.buttons()]

    world.run(story)


def test_a_used_link_code_and_an_unknown_one_are_refused_in_vietnamese_then_in_english(world):
    async def story(w):
        hoa, minh = w.chat(303), w.chat(304)
        code = issue_code(w, "inspector")
        await hoa.send(f"/link {code}")
        [used] = await minh.send(f"/link {code}")  # forbidden: the code was redeemed by someone else
        assert used == t("vi", "err-at-code--once") and vietnamese_only(used)
        [unknown] = await minh.send("/link ZZZZZZZZZZ")
        assert unknown == t("vi", "err-at-code--exists") and vietnamese_only(unknown)
        await choose_english(minh)
        assert await minh.send(f"/link {code}") == [t("en", "err-at-code--once")]
        assert await minh.send("/link ZZZZZZZZZZ") == [t("en", "err-at-code--exists")]
        assert w.store.actor(304).role == Role.RESIDENT

    world.run(story)


def test_adding_to_another_residents_report_is_refused_without_a_word_of_english(world):
    async def story(w):
        lan, binh = w.chat(305), w.chat(306)
        await file_report(lan)
        [incident] = incidents_of(w, 305)
        await file_report(binh, text="Khói đen từ lò đốt rác")
        await binh.send("/mine")
        # a forged button: lan's report, not binh's — nothing of it is shown, nothing offered
        assert await forged_press(binh, f"mine:{incident['id']}") == [t("vi", "mine-not-yours")]
        assert "mineadd" not in [data for _, data in binh.buttons()]
        assert await forged_press(binh, "mine:not-a-uuid") == [t("vi", "mine-not-yours")]
        assert incidents_of(w, 305)[0].get("additions", []) == []
        await binh.send("/cancel")
        await choose_english(binh)
        await binh.send("/mine")
        assert await forged_press(binh, f"mine:{incident['id']}") == [t("en", "mine-not-yours")]

    world.run(story)


def test_manifest_refusals_out_of_turn_or_not_ones_own_read_wholly_vietnamese(world, parties):  # noqa: F811
    """Out of turn, twice, not one's role, not one's manifest: raised by the real manifests service,
    told by the bot's words only (the manifest flow's own stories drive its buttons)."""
    from bot.common import explain
    from shared.kit.errors import LangXanhError

    p = parties
    mid = p.file("MN-REF-1", 120.0)
    stranger = Actor(id="resident-x", role=Role.RESIDENT)
    attempts = [
        lambda: p.manifests("generator", "return_copy4", manifest_id=mid),     # out of turn: not treated yet
        lambda: p.manifests("generator", "sign_handover", manifest_id=mid),    # signed already
        lambda: p.manifests("facility", "sign_pickup", manifest_id=mid),       # not the transporter
        lambda: world.cluster.call_sync(stranger, "manifests", "get_manifest", manifest_id=mid),
        lambda: p.manifests("transporter", "get_manifest", manifest_id="not-a-uuid"),
    ]
    seen = set()
    for attempt in attempts:
        try:
            attempt()
        except LangXanhError as e:
            vi, en = explain("vi", e), explain("en", e)
            assert e.message not in vi and vietnamese_only(vi), (e.as_dict(), vi)
            assert en != e.message and en != vi
            seen.add((e.kind, e.rule))
        else:
            raise AssertionError("the service accepted a step out of turn")
    assert {k for k, _ in seen} >= {"conflict", "forbidden", "invalid_input"}, seen

"""Issue 13 in the bot: a resident who sends the image bomb as a document, too many photos in a day,
or text with a NUL or an escape sequence is told so in Vietnamese at that step, and the step is kept
(the services in-process, at the Bot API seam, as tests/bot)."""
from bot.texts import t
from tests.bot.conftest import cluster, jpeg, world  # noqa: F401  (fixtures)
from tests.security.photo_images import black_png

BAT_TRANG = (21.0035, 105.9157)


def test_the_bot_refuses_the_bomb_the_quota_and_control_characters_in_vietnamese(world):
    async def story(w):
        lan = w.chat(1313)
        await lan.send("/report")
        await lan.press("cat:dust")
        assert await lan.send("Ngõ\x005 Bát Tràng") == [t("vi", "text-control-character")]
        await lan.location(*BAT_TRANG)
        assert await lan.send("Bụi\x1b[2J mù mịt") == [t("vi", "text-control-character")]
        await lan.send("Bụi mù mịt từ xưởng nung")
        assert await lan.photo(black_png(12_000, 12_000), as_document="image/png") == [t("vi", "photo-too-many-pixels")]
        shelf = w.cluster.kits["inspections"].app.photo_shelf
        before, shelf.quota_count = shelf.quota_count, 1
        try:
            assert (await lan.photo(jpeg((5, 5, 5))))[0] == t("vi", "report-photo-added", count=1, max=3)
            assert await lan.photo(jpeg((6, 6, 6))) == [t("vi", "photo-quota")]
        finally:
            shelf.quota_count = before

    world.run(story)

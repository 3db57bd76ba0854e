"""The targets recomputed when a village's recognition is withdrawn (QĐ 2546/QĐ-UBND, issue 16):
the village is in the denominators before the decision's date and left out, with why, from it."""
from datetime import date

from services.indicators.drill import IndicatorsDrill
from tests.application.test_indicators_app import AGENCY, World, fig

BASIS = "QĐ 2546/QĐ-UBND (28/04/2023)"


def world_with_a_withdrawal(settings):
    w = World(settings)
    s = w.sites
    w.keep = w.site("craft_village", "Bát Tràng", "gia-lam")
    w.faded = w.site("craft_village", "Lam Điền", "chuong-my")
    for v in (w.keep, w.faded):
        s.recognise_site(AGENCY, None, v, None, date(2010, 1, 1), "NĐ 52/2018")
        s.classify_site(AGENCY, None, v, date(2022, 5, 1), "polluted", "not_polluted", "not_polluted", 2, "Sở", BASIS)
    s.withdraw_recognition(AGENCY, None, w.faded, "2546/QĐ-UBND", date(2023, 4, 28), BASIS)
    w.sync()
    return w


def test_the_denominator_drops_the_village_from_the_decision_date(settings):
    w = world_with_a_withdrawal(settings)
    try:
        before = w.indicators.figures("2023Q1")  # ends 31/03/2023, before the decision
        assert fig(before, "city:hanoi", "villages_classified") == (2, 2, 1.0)
        assert fig(before, "district:chuong-my", "villages_classified") == (1, 1, 1.0)
        assert before["city:hanoi"]["villages_classified"]["left_out"] == []

        after = w.indicators.figures("2023Q2")  # ends 30/06/2023: the decision of 28/04 is in force
        assert fig(after, "city:hanoi", "villages_classified") == (1, 1, 1.0)
        assert fig(after, "city:hanoi", "villages_meeting_conditions") == (0, 1, 0.0)
        assert fig(after, "district:chuong-my", "villages_classified") == (0, 0, None)
        left = after["city:hanoi"]["villages_classified"]["left_out"]
        assert [(x["name"], x["reason"], x["decision"], x["effective"]) for x in left] == [
            ("Lam Điền", "recognition_withdrawn", "2546/QĐ-UBND", "2023-04-28")]
        assert after["city:hanoi"]["clusters_with_wwtp"]["left_out"] == []

        table = IndicatorsDrill(w.indicators).targets("2023Q2")["units"]["city:hanoi"]["villages_classified"]
        assert (table["denominator"], table["left_out"]) == (1, {"count": 1, "reasons": [
            {"reason": "recognition_withdrawn", "decision": "2546/QĐ-UBND", "effective": "2023-04-28", "count": 1}]})
        assert IndicatorsDrill(w.indicators).targets("2023Q1")["units"]["city:hanoi"]["villages_classified"][
            "left_out"] == {"count": 0, "reasons": []}
    finally:
        w.indicators.close()


def test_a_village_recognised_again_comes_back_into_the_denominator(settings):
    w = world_with_a_withdrawal(settings)
    try:
        w.sites.recognise_site(AGENCY, None, w.faded, "100/QĐ-UBND", date(2025, 3, 1), "NĐ 52/2018")
        w.sync()
        assert fig(w.indicators.figures("2024Q4"), "city:hanoi", "villages_classified")[1] == 1
        again = w.indicators.figures("2025Q2")
        assert again["city:hanoi"]["villages_classified"]["denominator"] == 2
        assert again["city:hanoi"]["villages_classified"]["left_out"] == []
    finally:
        w.indicators.close()

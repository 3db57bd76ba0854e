from shared.kit.text import fold, score


def test_vietnamese_search_text_folds_case_accents_and_d():
    assert fold("BÁT TRÀNG") == fold("Bát Tràng") == fold("bat trang") == "bat trang"
    assert fold("Đa Sỹ") == fold("da sy") == "da sy"
    assert fold("  Vạn-Phúc,  Hà Đông ") == "van phuc ha dong"
    assert fold("") == ""


def test_score_prefers_exact_names_then_phrases_then_words():
    assert score("bat trang", "Bát Tràng") > score("bat trang", "Gốm Bát Tràng cổ") > 0
    assert score("trang bat", "Bát Tràng") > 0
    assert score("bat trang", "Vạn Phúc") == 0
    assert score("", "Bát Tràng") == 0

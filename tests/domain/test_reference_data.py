"""The shipped Hanoi reference data (issue 16): keys, sources, confidences, the old→new commune
mapping, the QĐ 2546/QĐ-UBND delisting list, and the counts the README states."""
from collections import Counter

from shared import reference
from shared.seed import seed_steps

SITES = reference.sites()
BY_KEY = {s["key"]: s for s in SITES}
UNITS = reference.units()
COMMUNES = {c["code"] for c in UNITS["communes"]}
DISTRICTS = {d["code"]: d for d in UNITS["districts"]}
CONFIDENCE = {"H", "M", "L"}


def pieces(district: str, old_commune: str) -> set[str]:
    """The new units an old commune contributed to, per hanoi_units.json's formed_from."""
    return {c["code"] for c in UNITS["communes"] for f in c["formed_from"]
            if f["district"] == district and old_commune in f["communes"]}


def test_keys_are_unique_and_every_source_is_defined():
    assert len(BY_KEY) == len(SITES)
    defined = set(reference.sources())
    for s in SITES:
        assert s["source"] in defined, s["key"]
        assert set(s.get("sources", [])) <= defined, s["key"]
        assert s.get("commune_source") in defined | {None}, s["key"]
        assert s["confidence"] in CONFIDENCE, s["key"]
        assert s.get("commune_confidence") in CONFIDENCE | {None}, s["key"]


def test_the_counts_the_readme_states():
    kinds = Counter(s["kind"] for s in SITES)
    assert kinds == {"craft_village": 87, "industrial_cluster": 22, "industrial_zone": 10}
    assert sum(1 for s in SITES if s["kind"] == "industrial_cluster" and s["craft_village_cluster"]) >= 1
    assert Counter(s["confidence"] for s in SITES if s["kind"] == "craft_village")["H"] == 61


def test_every_site_has_its_new_commune_or_a_note_why_not():
    for s in SITES:
        assert s.get("commune") or s.get("note"), s["key"]
        if s.get("commune"):
            assert s["commune"] in COMMUNES, s["key"]
        if s.get("old_district"):
            assert s["old_district"] in DISTRICTS, s["key"]


def test_a_split_old_commune_names_its_pieces_and_the_commune_is_one_of_them():
    for s in SITES:
        if not (s.get("old_district") and s.get("old_commune")):
            continue
        known = pieces(s["old_district"], s["old_commune"])
        split = s.get("old_commune_split_into")
        if len(known) > 1:
            assert split and known <= set(split), s["key"]  # every split in the tabulation is named
        if split:
            assert set(split) <= COMMUNES and len(split) > 1, s["key"]
            assert s.get("commune") in set(split) | {None}, s["key"]
            if s.get("commune") is None:
                assert "split" in s["note"], s["key"]
    assert BY_KEY["lang-nghe-kieu-ky"]["old_commune_split_into"] == ["xa-gia-lam", "xa-bat-trang"]


def test_the_qd2546_delisting_names_villages_of_the_registry():
    d = reference.delisting()
    assert (d["decision"], d["effective"], d["listed"]) == ("2546/QĐ-UBND", "2023-04-28", 29)
    assert sum(d["listed_by_district"].values()) == 29
    named = d["villages"]
    assert len(named) == 22 and len({v["site_key"] for v in named}) == 22
    assert Counter(v["confidence"] for v in named) == {"H": 21, "M": 1}
    for v in named:
        assert v["source"] in d["sources"], v
        site = BY_KEY[v["site_key"]]
        assert site["kind"] == "craft_village" and site.get("recognised") is not None
        assert site["old_district"] == v["old_district"] and site["old_commune"] == v["old_commune"]
    by_district = Counter(v["old_district"] for v in named if v["confidence"] == "H")
    for district, n in by_district.items():
        assert n == d["listed_by_district"][district], district


def test_the_seed_withdraws_only_the_villages_a_source_names_for_certain():
    labels = [s.label for s in seed_steps() if s.label.endswith("(thu hồi danh hiệu)")]
    assert len(labels) == 21 and not any(label.startswith("Mễ Trì") for label in labels)


def test_chuyen_my_is_seven_recognised_villages_under_qd78():
    seven = [s for s in SITES if s["key"].startswith("lang-nghe-chuyen-my-")]
    assert len(seven) == 7 and "lang-nghe-chuyen-my" not in BY_KEY
    assert all(s["recognised"]["decision"] == "78/QĐ-UBND" and s["commune"] == "xa-chuyen-my" for s in seven)
    assert sum(1 for s in SITES if (s.get("recognised") or {}).get("decision") == "78/QĐ-UBND") == 14

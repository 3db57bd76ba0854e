"""Stories of the staff's registry (issue 14) on POPO, SQLite and PostgreSQL: the search over sites
and establishments (diacritic-free, filtered, paged with a total, a commune officer's scope), and
a site as it stood on a date."""
from datetime import date, datetime, timedelta, timezone

import eventsourcing.domain
import pytest

from services.sites.views import SitesViews
from shared.kit.actor import Actor
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.sql import Db

AGENCY = Actor("staff:officer@sotnmt.hanoi.gov.vn", "agency")
INSPECTOR = Actor("staff:inspector@sotnmt.hanoi.gov.vn", "inspector")
SQL_STORES = pytest.mark.parametrize("store", ["sqlite", "postgres"], indirect=True)  # read models live in SQL
ITEMS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")


def village(app, name, **kw):
    fields = dict(kind="craft_village", name=name, old_district="gia-lam")
    fields.update(kw)
    return app.register_site(AGENCY, None, **fields)["id"]


def meet_all(app, site, central="met"):
    for item in ITEMS:
        app.set_condition(INSPECTOR, None, site, item, central if item == "central_wwtp" else "met",
                          date(2025, 1, 10), "Luật BVMT Điều 56")


@pytest.fixture
def registry(sites):
    """A small registry: three villages of Gia Lâm (one moved to xã Bát Tràng), a cluster elsewhere."""
    ids = {
        "bat_trang": village(sites, "Bát Tràng", trade="gốm sứ", old_commune="Bát Tràng", commune="xa-bat-trang"),
        "bat_trang_2": village(sites, "Bát Tràng mới", old_commune="Bát Tràng"),
        "kim_lan": village(sites, "Kim Lan", old_commune="Kim Lan"),
        "phu_thi": sites.register_site(AGENCY, None, kind="industrial_cluster", name="CCN Phú Thị",
                                       old_district="dong-anh")["id"],
    }
    sites.recognise_site(AGENCY, None, ids["bat_trang"], "QĐ 1", date(2010, 5, 1), "NĐ 52/2018")
    sites.recognise_site(AGENCY, None, ids["kim_lan"], "QĐ 2", date(2012, 5, 1), "NĐ 52/2018")
    sites.classify_site(INSPECTOR, None, ids["bat_trang"], date(2024, 5, 1), "polluted", "not_polluted",
                        "not_polluted", 1, "Sở NN&MT", "QĐ 2546/QĐ-UBND")
    meet_all(sites, ids["bat_trang"], central="not_applicable")
    sites.set_wwtp(AGENCY, None, ids["phu_thi"], "operating")
    return SitesViews(Db.of(sites), sites), ids


def names(page):
    return [s["name"] for s in page["sites"]]


@SQL_STORES
def test_staff_search_folds_diacritics_and_puts_the_exact_name_first(registry):
    views, ids = registry
    for query in ("bat trang", "BÁT TRÀNG", "Bat  Trang", "bát"):
        page = views.staff_sites(query)
        assert page["total"] == 2 and names(page) == ["Bát Tràng", "Bát Tràng mới"], query
    assert names(views.staff_sites("trang moi")) == ["Bát Tràng mới"]
    assert names(views.staff_sites("gom su")) == ["Bát Tràng"]  # the trade is searched too
    assert views.staff_sites("khong co lang nay") == {"total": 0, "offset": 0, "limit": 50, "sites": []}


@SQL_STORES
def test_every_filter_narrows_the_search(registry):
    views, ids = registry
    assert names(views.staff_sites(kind="industrial_cluster")) == ["CCN Phú Thị"]
    assert names(views.staff_sites(commune="xa-bat-trang")) == ["Bát Tràng"]
    assert names(views.staff_sites(old_district="gia-lam")) == ["Bát Tràng", "Bát Tràng mới", "Kim Lan"]
    assert names(views.staff_sites(recognised=True)) == ["Bát Tràng", "Kim Lan"]
    assert names(views.staff_sites(recognised=False, kind="craft_village")) == ["Bát Tràng mới"]
    assert names(views.staff_sites(classified=True)) == ["Bát Tràng"]
    assert names(views.staff_sites(conditions_met=True)) == ["Bát Tràng"]
    assert names(views.staff_sites(wwtp="operating")) == ["CCN Phú Thị"]
    assert len(names(views.staff_sites(wwtp="unset"))) == 3
    assert names(views.staff_sites("bat trang", recognised=True, classified=True)) == ["Bát Tràng"]
    row = views.staff_sites(conditions_met=True)["sites"][0]
    assert row["conditions_met"] == 5 and row["classification"]["water"] == "polluted"


@SQL_STORES
def test_a_commune_officers_list_matches_the_new_commune_or_the_old_district(registry):
    views, ids = registry
    assert names(views.staff_sites(communes=["xa-bat-trang"])) == ["Bát Tràng"]
    assert names(views.staff_sites(communes=["dong-anh"])) == ["CCN Phú Thị"]
    assert names(views.staff_sites(communes=["xa-bat-trang", "dong-anh"])) == ["Bát Tràng", "CCN Phú Thị"]
    assert views.staff_sites("kim lan", communes=["xa-bat-trang"])["total"] == 0
    scoped = views.staff_establishments(communes=["dong-anh"])
    assert scoped["total"] == 0


@SQL_STORES
def test_five_conditions_met_counts_only_when_all_are_met(sites, registry):
    views, ids = registry
    for item in ITEMS[:4]:
        sites.set_condition(INSPECTOR, None, ids["kim_lan"], item, "met", date(2025, 2, 1), "Điều 56")
    sites.set_condition(INSPECTOR, None, ids["kim_lan"], "solid_waste_point", "in_progress", date(2025, 2, 1), "Điều 56")
    assert names(views.staff_sites(conditions_met=True)) == ["Bát Tràng"]
    assert views.staff_sites("kim lan")["sites"][0]["conditions_met"] == 4
    sites.set_condition(INSPECTOR, None, ids["kim_lan"], "solid_waste_point", "met", date(2025, 3, 1), "Điều 56")
    assert names(views.staff_sites(conditions_met=True)) == ["Bát Tràng", "Kim Lan"]
    sites.deactivate_site(AGENCY, None, ids["kim_lan"], "trùng")
    assert names(views.staff_sites(conditions_met=True, active=True)) == ["Bát Tràng"]
    assert names(views.staff_sites(active=False)) == ["Kim Lan"]


@SQL_STORES
def test_pages_keep_the_total_and_the_order(sites):
    views = SitesViews(Db.of(sites), sites)
    for i in range(25):
        village(sites, f"Làng nghề số {i:02d}")
    first = views.staff_sites("lang nghe", limit=10)
    last = views.staff_sites("lang nghe", offset=20, limit=10)
    assert first["total"] == last["total"] == 25
    assert names(first)[0] == "Làng nghề số 00" and names(last) == [f"Làng nghề số {i}" for i in range(20, 25)]
    everything = [n for o in (0, 10, 20) for n in names(views.staff_sites(offset=o, limit=10))]
    assert everything == sorted(everything) and len(set(everything)) == 25


@SQL_STORES
def test_staff_search_establishments_by_name_role_and_site(sites, registry):
    views, ids = registry
    est = lambda name, code, **kw: sites.register_establishment(  # noqa: E731
        AGENCY, None, site_id=ids["phu_thi"], name=name, form="enterprise", registration_code=code, trades=[], **kw)["id"]
    t = est("Vận tải Hòa Bình", "0105550001", transporter=True, licence={"number": "VC-1", "waste_codes": ["16 01 06"]})
    g = est("Công ty Mạ kẽm", "0105550002", hw_generator=True)
    h = sites.register_establishment(AGENCY, None, site_id=ids["bat_trang"], name="Hộ Nguyễn Văn A", form="household",
                                     registration_code="HKD-1", trades=["gốm"])["id"]
    page = views.staff_establishments("hoa binh")
    assert page["total"] == 1 and page["establishments"][0]["id"] == t
    assert page["establishments"][0]["site_name"] == "CCN Phú Thị" and page["establishments"][0]["licence"]["number"] == "VC-1"
    assert [e["id"] for e in views.staff_establishments(role="hw_generator")["establishments"]] == [g]
    assert [e["id"] for e in views.staff_establishments(site_id=ids["bat_trang"])["establishments"]] == [h]
    assert [e["id"] for e in views.staff_establishments("0105550002")["establishments"]] == [g]
    assert views.staff_establishments(communes=["xa-bat-trang"])["total"] == 1
    assert views.staff_establishments(communes=["dong-anh"])["total"] == 2


def test_a_site_as_of_a_date_is_the_record_as_it_stood_that_day(sites, monkeypatch):
    now = {"t": datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)}
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: now["t"])
    site = village(sites, "Bát Tràng", old_commune="Bát Tràng")
    now["t"] = datetime(2026, 2, 10, 16, 30, tzinfo=timezone.utc)  # 23:30 on 10 February in Hanoi
    sites.set_wwtp(AGENCY, None, site, "planned", note="dự án 2027")
    now["t"] = datetime(2026, 2, 10, 17, 30, tzinfo=timezone.utc)  # 00:30 on 11 February in Hanoi
    sites.set_wwtp(AGENCY, None, site, "under_construction")
    now["t"] = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)
    sites.amend_site(AGENCY, None, site, {"households": 120})

    jan = sites.site_as_of(site, date(2026, 1, 31))
    assert jan["wwtp"] is None and jan["version"] == 1 and jan["as_of"]["version"] == 1
    assert jan["as_of"]["recorded_at"] == "2026-01-05T03:00:00+00:00"
    feb10 = sites.site_as_of(site, date(2026, 2, 10))
    assert feb10["wwtp"]["status"] == "planned" and feb10["wwtp"]["note"] == "dự án 2027"
    assert sites.site_as_of(site, date(2026, 2, 11))["wwtp"]["status"] == "under_construction"
    assert sites.site_as_of(site, date(2026, 2, 11))["households"] is None
    today = sites.site_as_of(site, date(2026, 3, 1))
    assert today["households"] == 120 and today["version"] == 4 == sites.get_site(site)["version"]
    with pytest.raises(NotFound) as e:
        sites.site_as_of(site, date(2026, 1, 4))
    assert (e.value.field, e.value.rule) == ("at", "exists")
    # the mapping recorded on 1 March (effective 1 July 2025): the day before, the registry did not know it
    sites.record_reform(AGENCY, None, [{"site_id": site, "commune": "xa-bat-trang"}])
    assert sites.site_as_of(site, date(2026, 3, 1))["jurisdiction"]["commune"] == "xa-bat-trang"
    before = sites.site_as_of(site, date(2026, 3, 1) - timedelta(days=1))["jurisdiction"]
    assert before == {"commune": None, "old_district": "gia-lam", "old_commune": "Bát Tràng"}


@SQL_STORES
def test_the_timeline_names_every_event_and_who_did_it_for_staff(sites, registry):
    views, ids = registry
    timeline = sites.history(AGENCY, ids["bat_trang"])
    assert [h["event"] for h in timeline] == ["Registered", "Recognised", "Classified"] + ["ConditionSet"] * 5
    assert {h["actor_id"] for h in timeline} == {AGENCY.id, INSPECTOR.id}
    assert [h["version"] for h in timeline] == list(range(1, 9))


def tiny_png_with_exif() -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Máy ảnh của cán bộ"  # Make
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 40)).save(buf, "PNG", exif=exif)
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_condition_carries_its_evidence_file_by_sha256(sites, tmp_path):
    from services.sites.evidence import EvidenceShelf

    sites.evidence = EvidenceShelf(tmp_path / "evidence", max_bytes=100_000)
    site = village(sites, "Bát Tràng")
    stored = sites.evidence.store(PDF)
    assert stored["content_type"] == "application/pdf" and stored["bytes"] == len(PDF)
    assert sites.evidence.store(PDF) == stored  # content-addressed: the same file, the same reference
    photo = sites.evidence.store(tiny_png_with_exif())
    data, kind = sites.evidence.get(photo["evidence_file"])
    assert kind == "image/png" and "Máy ảnh".encode() not in data and b"Exif" not in data
    for junk, rule in ((b"", "required"), (b"MZ\x90\x00 an executable", "file_type"), (b"%PDF-1.4 cut short", "file_type"),
                       (b"%PDF-" + b"x" * 100_000, "max_size")):
        with pytest.raises(InvalidInput) as e:
            sites.evidence.store(junk)
        assert (e.value.field, e.value.rule) == ("data_b64", rule)

    head = sites.log_head()
    with pytest.raises(InvalidInput) as e:  # a reference to nothing stored: refused, nothing changed
        sites.set_condition(INSPECTOR, None, site, "drainage", "met", date(2025, 1, 10), "Điều 56",
                            evidence_file="0" * 64)
    assert (e.value.field, e.value.rule) == ("evidence_file", "exists") and sites.log_head() == head
    sites.set_condition(INSPECTOR, None, site, "drainage", "met", date(2025, 1, 10), "Điều 56",
                        evidence="Biên bản nghiệm thu", evidence_file=stored["evidence_file"])
    assert sites.get_site(site)["conditions"]["drainage"]["evidence_file"] == stored["evidence_file"]
    public = sites.get_site(site, staff=False)["conditions"]["drainage"]
    assert "evidence_file" not in public and "evidence" not in public
    assert "evidence_file" not in str(sites.history(Actor("tg:1", "resident"), site))
    assert sites.history(INSPECTOR, site)[-1]["data"]["evidence_file"] == stored["evidence_file"]
    with pytest.raises(NotFound):
        sites.evidence.get("f" * 64)

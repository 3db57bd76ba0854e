"""Issue 13: a NUL in a site name, sent over the real broker, was stored in the log; on PostgreSQL
every later read that catches the sites views up with the log then failed ("invalid byte sequence
… 0x00"), forever. Now the contract refuses it (InvalidInput, field `name`, rule
control_character) before anything is written, and reads go on working — on both stores."""
import pytest

from services.sites.service import SitesService
from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.errors import InvalidInput

AGENCY = Actor("officer-1", "agency")
HOSTILE = ["Bát\x00Tràng", "Vạn Phúc\x1b[2J", "Đa\x85Sĩ", "Phù Lãng\ud800", "Làng\ufffe"]
RULES = {"control_character", "string_unicode"}  # pydantic's own str check refuses a lone surrogate first


@pytest.fixture
def sites(make_container, store_env, exchange_name, amqp_uri):
    container = make_container(SitesService)
    container.start()
    with ServiceClient(actor=AGENCY, amqp_uri=amqp_uri, timeout=20) as client:
        yield client


def test_a_site_name_with_a_control_character_is_refused_and_reads_keep_working(sites, store_env):
    ok = sites.sites.register_site(kind="craft_village", name="Bát Tràng", old_district="gia-lam")
    for name in HOSTILE:
        with pytest.raises(InvalidInput) as e:
            sites.sites.register_site(kind="craft_village", name=name, old_district="gia-lam")
        assert e.value.field == "name" and e.value.rule in RULES, repr(name)
        with pytest.raises(InvalidInput) as e:
            sites.sites.amend_site(site_id=ok["id"], changes={"name": name})
        assert e.value.field == "changes.name" and e.value.rule in RULES, repr(name)
    with pytest.raises(InvalidInput) as e:
        sites.sites.search_sites(query="bat\x00")
    assert (e.value.field, e.value.rule) == ("query", "control_character")

    # every later read works: the views catch up with a clean log
    assert [s["name"] for s in sites.sites.search_sites(query="bat trang")] == ["Bát Tràng"]
    assert sites.sites.get_site(site_id=ok["id"])["name"] == "Bát Tràng"
    assert sites.sites.list_sites()["total"] == 1
    assert len(sites.sites.events_since(position=0, limit=10)) == 1


def test_line_breaks_in_a_one_line_text_become_spaces(sites):
    site = sites.sites.register_site(kind="craft_village", name="Làng\r\ngốm\tBát Tràng", old_district="gia-lam")
    assert sites.sites.get_site(site_id=site["id"])["name"] == "Làng gốm Bát Tràng"

"""P6's baseline (tests/bench/baseline_fastapi.py, issue 18) does what the comparison says it does:
a report the Open311 contract accepts is one committed row in its PostgreSQL table; a form the
contract refuses is a 400 (404: unknown service_code) in the spec's format and no row. Not timed: the figure is `make bench`'s."""
from __future__ import annotations

import warnings

import psycopg
import pytest

from tests.bench.baseline_fastapi import PATH, create_app
from tests.bench.report_baseline import form

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
from fastapi.testclient import TestClient  # noqa: E402


@pytest.fixture
def baseline(pg_url, schema_prefix):  # type: ignore[no-untyped-def]
    schema = f"{schema_prefix}p6base"
    with TestClient(create_app(pg_url, schema, pool=2)) as http:
        yield http, schema


def rows(pg_url: str, schema: str) -> list[tuple]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute(f'SELECT id::text, category, description, lat, lon, reporter FROM "{schema}".incident_report '
                            f"ORDER BY reported_at").fetchall()


def test_a_report_is_one_stored_row(baseline, pg_url):
    http, schema = baseline
    sent = form("test", 7)
    answer = http.post(PATH, data=sent)
    assert answer.status_code == 200, answer.text
    created = answer.json()[0]
    stored = rows(pg_url, schema)
    assert [r[0] for r in stored] == [created["service_request_id"]]
    _, category, description, lat, lon, reporter = stored[0]
    assert (category, description) == ("wastewater", sent["description"])
    assert (lat, lon) == (float(sent["lat"]), float(sent["long"]))
    assert reporter and sent["email"] not in reporter  # the e-mail is not kept, only a digest
    assert created["service_notice"].endswith("PA-" + created["service_request_id"].replace("-", "")[:8].upper())
    # another report is another row, with an id of its own
    again = http.post(PATH, data=form("test", 8))
    assert again.status_code == 200 and again.json()[0]["service_request_id"] != created["service_request_id"]
    assert len(rows(pg_url, schema)) == 2


@pytest.mark.parametrize("change, status", [({"lat": "48.85", "long": "2.35"}, 400), ({"description": "x"}, 400),
                                            ({"lat": None}, 400), ({"service_code": "nope"}, 404)])
def test_a_form_the_contract_refuses_is_refused_and_no_row(baseline, pg_url, change, status):
    http, schema = baseline
    sent = {k: v for k, v in {**form("test", 1), **change}.items() if v is not None}
    answer = http.post(PATH, data=sent)
    assert answer.status_code == status, answer.text
    assert answer.json()[0]["code"] == status and answer.json()[0]["description"]
    assert rows(pg_url, schema) == []


def test_a_body_over_64_kib_is_refused(baseline, pg_url):
    http, schema = baseline
    answer = http.post(PATH, data={**form("test", 2), "description": "x" * 70_000})
    assert answer.status_code == 413
    assert rows(pg_url, schema) == []

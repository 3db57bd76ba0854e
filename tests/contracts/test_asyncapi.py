"""The AsyncAPI 3 document of `langxanh.events`: generated from the contracts, committed as
deploy/asyncapi.yaml, and accepted by the official AsyncAPI parser (@asyncapi/parser from npm,
installed by `make test` into tools/asyncapi/node_modules).

Regenerate deploy/asyncapi.yaml after an intended change of a contract with:
    LANGXANH_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/contracts/test_asyncapi.py
"""
import copy
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator
from typer.testing import CliRunner

from shared import asyncapi
from langxanh.cli import app
from shared.kit.public import event_type, routing_key
from tests.ports import sites_ports

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "deploy" / "asyncapi.yaml"
TOOLS = ROOT / "tools" / "asyncapi"


@pytest.fixture(scope="module")
def doc():
    return asyncapi.document()


def all_contracts():
    return [(service, contract) for service, contracts in asyncapi.public_events().items() for contract in contracts]


def test_the_committed_document_is_the_generated_one(doc):
    rendered = asyncapi.render(doc, "yaml")
    if os.environ.get("LANGXANH_UPDATE_GOLDEN"):
        COMMITTED.write_text(rendered, encoding="utf-8")
    committed = COMMITTED.read_text(encoding="utf-8")
    assert yaml.safe_load(committed) == json.loads(json.dumps(doc)), \
        "deploy/asyncapi.yaml is not the generated document: regenerate it (LANGXANH_UPDATE_GOLDEN=1)"
    assert committed == rendered
    assert asyncapi.render(asyncapi.document(), "yaml") == rendered  # generated the same, every time


def test_every_public_event_of_every_service_has_a_channel_a_message_and_a_receive_operation(doc):
    contracts = all_contracts()
    assert {s for s, _ in contracts} == {"sites", "inspections", "manifests", "indicators"}
    assert len(doc["channels"]) == len(doc["components"]["messages"]) == len(doc["operations"]) == len(contracts)
    for service, contract in contracts:
        key = routing_key(service, contract)
        channel = doc["channels"][key]
        assert channel["address"] == key
        assert channel["bindings"]["amqp"]["exchange"] == {"name": "langxanh.events", "type": "topic", "durable": True,
                                                           "autoDelete": False, "vhost": "langxanh"}
        message = asyncapi.resolve(doc, channel["messages"][contract.__name__]["$ref"])
        assert message["contentType"] == "application/cloudevents+json"
        assert message["summary"] and message["title"]
        payload = message["payload"]
        assert payload["properties"]["type"]["const"] == event_type(service, contract)
        assert payload["properties"]["source"]["const"] == f"/langxanh/{service}"
        assert set(payload["required"]) >= {"specversion", "id", "source", "type", "subject", "time", "sequence",
                                            "datacontenttype", "data"}
        assert "communecode" in payload["properties"] and "communecode" not in payload["required"]
        data = asyncapi.resolve(doc, payload["properties"]["data"]["$ref"])
        expected = contract.model_json_schema(mode="serialization", ref_template=asyncapi.REF + "{model}")
        expected.pop("$defs", None)
        assert data == expected  # the contract's own schema, not a copy kept by hand
        operation = doc["operations"][f"receive_{service}_{contract.event}"]
        assert operation["action"] == "receive" and operation["channel"] == {"$ref": f"#/channels/{key}"}
    assert doc["defaultContentType"] == "application/cloudevents+json"
    server = doc["servers"]["broker"]
    assert (server["protocol"], server["host"], server["pathname"]) == ("amqp", "localhost:5672", "/langxanh")
    assert doc["info"]["version"] == asyncapi.project_version()


def test_pydantic_defs_are_hoisted_and_no_ref_dangles(doc):
    assert asyncapi.dangling_refs(doc) == []
    assert not [p for p, node in asyncapi.walk(doc) if isinstance(node, dict) and "$defs" in node]
    refs = {node["$ref"] for _, node in asyncapi.walk(doc) if isinstance(node, dict) and "$ref" in node}
    assert "#/components/schemas/Location" in refs and "#/components/schemas/PublicLine" in refs
    # every hoisted schema is used
    assert {r.rsplit("/", 1)[1] for r in refs if r.startswith(asyncapi.REF)} == set(doc["components"]["schemas"])


def test_payload_schemas_are_draft_07_and_valid_schemas(doc):
    """AsyncAPI 3.0 payloads are AsyncAPI Schema Objects: a superset of JSON Schema draft-07."""
    assert asyncapi.draft07_problems(doc) == []
    for schema in asyncapi.message_schemas(doc).values():
        Draft7Validator.check_schema(schema)


def test_a_server_from_an_amqp_uri_shows_its_host_and_vhost_never_its_credentials():
    doc = asyncapi.document("amqp://svc:s3cret@rabbit.example:5673/prod%2Fa", exchange="x.events")
    assert doc["servers"]["broker"]["host"] == "rabbit.example:5673"
    assert doc["servers"]["broker"]["pathname"] == "/prod/a"
    assert doc["channels"]["sites.site_registered"]["bindings"]["amqp"]["exchange"]["vhost"] == "prod/a"
    assert "s3cret" not in json.dumps(doc) and "svc" not in json.dumps(doc["servers"])
    assert asyncapi.document("amqp://guest:guest@localhost:5672/")["servers"]["broker"]["pathname"] == "/"


def test_yaml_and_json_render_the_same_document(doc):
    assert yaml.safe_load(asyncapi.render(doc, "yaml")) == json.loads(asyncapi.render(doc, "json"))
    with pytest.raises(ValueError):
        asyncapi.render(doc, "xml")


def test_langxanh_asyncapi_prints_and_writes_the_document(tmp_path, doc):
    runner = CliRunner()
    printed = runner.invoke(app, ["asyncapi", "--format", "json"])
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == json.loads(json.dumps(doc))
    out = tmp_path / "asyncapi.yaml"
    written = runner.invoke(app, ["asyncapi", "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["asyncapi", "--format", "toml"])
    assert bad.exit_code == 2


# -- the official parser ---------------------------------------------------------------------------
def parse(path: Path) -> tuple[int, dict]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the AsyncAPI document is validated with the official parser "
                    "(@asyncapi/parser, npm). Install Node.js 20 and npm (Debian: apt-get install nodejs npm).")
    if not (TOOLS / "node_modules" / "@asyncapi" / "parser").is_dir():
        pytest.fail("the AsyncAPI parser is not installed: run `make test` (or "
                    "`npm ci --prefix tools/asyncapi --no-audit --no-fund --ignore-scripts`)")
    done = subprocess.run([node, str(TOOLS / "validate.mjs"), str(path)], capture_output=True, text=True, timeout=120)
    try:
        return done.returncode, json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"validate.mjs printed no report (exit {done.returncode}): {done.stderr[-2000:]}")


def test_the_official_asyncapi_parser_accepts_the_committed_document(doc):
    code, report = parse(COMMITTED)
    for d in report["diagnostics"]:
        print(f"{d['severity']}: {d['code']}: {d['message']} at {'/'.join(map(str, d['path']))}")
    print(f"@asyncapi/parser {report['parser']}: {report['channels']} channels, {report['messages']} messages, "
          f"{report['operations']} operations; diagnostics {report['counts']}")
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    assert errors == [] and code == 0 and report["valid"]
    assert report["asyncapi"] == "3.0.0"
    assert report["channels"] == report["messages"] == report["operations"] == len(doc["channels"])
    assert report["parser"] == json.loads((TOOLS / "package.json").read_text())["dependencies"]["@asyncapi/parser"]


def test_the_parser_refuses_a_broken_document(doc, tmp_path):
    """The check above can fail: a dangling message ref and a wrong action are errors."""
    broken = copy.deepcopy(json.loads(json.dumps(doc)))
    broken["operations"]["receive_sites_site_registered"]["action"] = "publish"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    code, report = parse(path)
    assert code == 1 and not report["valid"]
    assert any(d["severity"] == "error" and "action" in d["message"] for d in report["diagnostics"])
    del broken["components"]["messages"]["SiteRegistered"]
    broken["operations"]["receive_sites_site_registered"]["action"] = "receive"
    path.write_text(json.dumps(broken))
    code, report = parse(path)
    assert code == 1 and any("SiteRegistered" in d["message"] for d in report["diagnostics"] if d["severity"] == "error")


# -- the stream validator used by tests/services, tests/application and tests/contracts -------------
def test_the_stream_validator_refuses_what_the_schemas_refuse():
    from services.sites.application import SitesApplication
    from shared.contracts import sites as cs
    from shared.kit.actor import Actor
    from shared.kit.public import PublicMapper
    from shared.kit.store import popo_env
    from tests.stream_schema import StreamValidator

    app = SitesApplication(env=popo_env(), ports=sites_ports())
    app.register_site(Actor("a", "agency"), None, kind="craft_village", name="Bát Tràng", old_district="gia-lam",
                      location={"lat": 20.97, "lon": 105.91})
    mapper = PublicMapper("sites", app, cs.PUBLIC_EVENTS, place=app.place_of)
    (notification,) = app.select_notifications(0, 10)
    key, event = mapper.cloudevent(notification)
    validator = StreamValidator()
    assert validator.problems(key, event) == []
    assert event["communecode"] == "gia-lam"

    def broken(change):
        bad = json.loads(json.dumps(event))
        change(bad)
        return validator.problems(key, bad)

    assert broken(lambda e: e.update(time=e["time"].rstrip("Z")))  # a naive timestamp
    assert broken(lambda e: e.update(type="vn.langxanh.sites.site_amended.v1"))  # another channel's type
    assert broken(lambda e: e.update(sequence="1"))  # not zero-padded
    assert broken(lambda e: e.update(subject="not-a-uuid"))
    assert broken(lambda e: e.update(extra="attribute"))  # an undocumented attribute
    assert broken(lambda e: e.pop("datacontenttype"))
    assert broken(lambda e: e.update(communecode=""))
    assert broken(lambda e: e["data"].update(kind="village"))  # not in the enum
    assert broken(lambda e: e["data"].pop("name"))
    assert broken(lambda e: e["data"].update(location={"lat": 48.85, "lon": 2.35}))  # outside Hanoi ($ref'd schema)
    assert broken(lambda e: e["data"].update(id="42"))
    assert validator.problems("sites.nothing", event) == ["routing key 'sites.nothing' is no channel of the AsyncAPI document"]
    validator.check(key, dict(event, sequence="x"))
    assert validator.count == 1 and len(validator.failures) == 1 and "sequence" in validator.failures[0]

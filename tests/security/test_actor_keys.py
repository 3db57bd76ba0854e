"""Issue 13, finding 2: the components' HMAC keys (shared/kit/keys.py) and the verifier's rules
(shared/kit/assertion.py), without a broker: files 0600, made once even when processes race,
explicit keys win, and each check refuses with its own rule."""
import multiprocessing
import stat

import pytest

from shared.kit.actor import Actor
from shared.kit.assertion import CONTEXT_KEY, Signer, Verifier, client_digest, arguments_digest, role_table
from shared.kit.config import Settings
from shared.kit.errors import Forbidden
from shared.kit.keys import KeyRing, MissingKey


def _make_key(directory, queue):
    queue.put(KeyRing(directory).key("bot"))


def test_racing_processes_create_one_key_file_with_mode_0600(tmp_path):
    directory = tmp_path / "keys"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_make_key, args=(directory, queue)) for _ in range(6)]
    for p in procs:
        p.start()
    keys = {queue.get(timeout=60) for _ in procs}
    for p in procs:
        p.join(timeout=60)
    assert len(keys) == 1  # every process signs with the same key
    assert KeyRing(directory).key("bot") in keys
    assert [f.name for f in directory.iterdir()] == ["bot.key"]  # no temporary file left
    assert stat.S_IMODE((directory / "bot.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_explicit_keys_win_and_creation_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("LANGXANH_ACTOR_KEYS", '{"bot": "%s"}' % ("b" * 40))
    monkeypatch.setenv("LANGXANH_ACTOR_KEYS_CREATE", "false")
    monkeypatch.setenv("LANGXANH_ACTOR_KEYS_DIR", str(tmp_path / "k"))
    settings = Settings()
    assert settings.keys_dir == tmp_path / "k"
    assert "b" * 40 not in repr(settings)  # a secret, never printed
    ring = KeyRing(settings.keys_dir, {c: k.get_secret_value() for c, k in settings.actor_keys.items()},
                   settings.actor_keys_create)
    assert ring.key("bot") == b"b" * 40
    with pytest.raises(MissingKey):
        ring.key("gateway")
    assert not (tmp_path / "k").exists()
    with pytest.raises(ValueError):
        KeyRing(tmp_path, {"bot": "short"})
    assert Settings(data_dir=tmp_path, actor_keys_dir=None).keys_dir == tmp_path / "keys"


def test_the_arguments_digest_survives_the_json_round_trip():
    from datetime import date
    from uuid import UUID

    from kombu.utils.json import dumps, loads

    args, kwargs = (1, (2, 3)), {"on": date(2025, 1, 2), "id": UUID(int=5), "name": "Bát Tràng", "x": {"b": 1, "a": 2.5}}
    wire = loads(dumps({"args": args, "kwargs": kwargs}))  # what the service decodes
    assert client_digest(args, kwargs) == arguments_digest(wire)
    assert client_digest(args, {**kwargs, "name": "Bat Trang"}) != arguments_digest(wire)


def verify(verifier, context, method="register_site", body=None):
    with pytest.raises(Forbidden) as e:
        verifier.verify("sites", method, context, body or {"args": [], "kwargs": {}})
    assert e.value.field == "actor"
    return e.value.rule


def test_each_check_has_its_rule(tmp_path):
    ring = KeyRing(tmp_path)
    now = [1_000_000.0]
    verifier = Verifier(ring, 300, role_table({"gateway": ["agency", "public", "admin"]}), clock=lambda: now[0])
    bot = Signer("bot", ring.key("bot"), clock=lambda: now[0])
    resident, admin = Actor("r", "resident"), Actor("a", "admin")

    def ctx(actor, assertion):
        return {"actor": actor.to_dict(), CONTEXT_KEY: assertion}

    assert verifier.verify("sites", "register_site", ctx(resident, bot.sign(resident, "sites", "register_site")),
                           {"args": [], "kwargs": {}}) == resident
    assert verify(verifier, {"actor": resident.to_dict()}) == "required"
    assert verify(verifier, {CONTEXT_KEY: bot.sign(resident, "sites", "register_site")}) == "required"
    assert verify(verifier, ctx(resident, "v2.bot.1.2.3")) == "malformed"
    assert verify(verifier, ctx(resident, bot.sign(resident, "inspections", "register_site"))) == "signature"
    assert verify(verifier, ctx(admin, bot.sign(admin, "sites", "register_site"))) == "role_not_allowed_for_component"
    stale = bot.sign(resident, "sites", "register_site")
    now[0] += 301
    assert verify(verifier, ctx(resident, stale)) == "expired"
    gateway = Signer("gateway", ring.key("gateway"), clock=lambda: now[0])  # staff roles: data, not code
    assert verifier.verify("sites", "m", ctx(admin, gateway.sign(admin, "sites", "m")), {"args": [], "kwargs": {}})


def test_keys_secret_gives_a_component_only_what_it_needs(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from langxanh.cli import app

    monkeypatch.setenv("LANGXANH_ACTOR_KEYS_DIR", str(tmp_path))
    bot = CliRunner().invoke(app, ["keys", "secret", "bot"])
    assert bot.exit_code == 0 and list(json.loads(bot.stdout)) == ["bot"]
    sites = json.loads(CliRunner().invoke(app, ["keys", "secret", "sites"]).stdout)
    assert sorted(sites) == ["bot", "cli", "gateway", "indicators", "inspections", "manifests", "sites"]
    assert sites["bot"] == json.loads(bot.stdout)["bot"] == (tmp_path / "bot.key").read_text().strip()
    assert CliRunner().invoke(app, ["keys", "secret", "nobody"]).exit_code == 2

"""Issue 13, finding 4 — the gateway's memory DoS: a 150 MB body without a key was read and
parsed before the key was checked (RSS 112 → 551 MB; the pod's limit is 512 Mi).

Against a real gateway process (uvicorn) on each store kind: bodies of 150 MB, announced by
Content-Length or streamed chunked, with no key, a wrong key or a valid one, are answered (401,
403 or 413) before the client has sent them, and the process's peak RSS (VmHWM) stays put."""
from __future__ import annotations

import select
import socket

import pytest

from tests.security.gateway_procs import environment, issue_key, start_gateway

MB = 1024 * 1024
TOTAL = 150 * MB
CHUNK = MB
GROWTH_KB = 40 * 1024  # what the process may grow by over all the attacks: far below one body


@pytest.fixture(params=["sqlite", "postgres"])
def gateway(request, amqp_uri, tmp_path, schema_prefix):  # type: ignore[no-untyped-def]
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    env = environment(amqp_uri, tmp_path, request.param, pg, schema_prefix, webhook_delivery="false")
    admin = issue_key(env, "it", "admin")
    proc = start_gateway(env, tmp_path)
    yield env, proc, admin
    proc.stop()


def attack(env: dict, path: str, headers: dict, chunked: bool) -> tuple[int | None, int]:
    """POST a 150 MB body to `path`; stop sending as soon as the gateway answers. Returns the
    status (None: the connection was cut before an answer could be read) and the bytes sent."""
    sock = socket.create_connection(("127.0.0.1", int(env["LANGXANH_GATEWAY_PORT"])), timeout=60)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
            *(f"{k}: {v}" for k, v in headers.items()),
            "Transfer-Encoding: chunked" if chunked else f"Content-Length: {TOTAL}"]
    sent, status = 0, None
    payload = b'{"agency":"it","scopes":["admin"],"label":"' + b"x" * (CHUNK - 44)
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        while sent < TOTAL:
            if select.select([sock], [], [], 0)[0]:
                break  # an answer (or a close) came: the rest is not sent
            piece = payload[:TOTAL - sent]
            sock.sendall((f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece)
            sent += len(piece)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        answer = sock.recv(4096)
        if answer.startswith(b"HTTP/1.1 "):
            status = int(answer.split()[1])
    except (BrokenPipeError, ConnectionResetError):
        pass  # cut off after answering: the answer may be lost, the body was not taken
    finally:
        sock.close()
    return status, sent


def test_huge_bodies_are_refused_before_they_are_read_and_memory_stays_bounded(gateway):
    env, proc, admin = gateway
    before = proc.status("VmHWM")
    results = {
        "keys, 150 MB by Content-Length, no key": attack(env, "/v1/keys", {}, chunked=False),
        "webhooks, 150 MB chunked, no key": attack(env, "/v1/webhooks", {}, chunked=True),
        "keys, 150 MB chunked, a wrong key": attack(env, "/v1/keys", {"X-API-Key": "lx_00000000_nope"}, chunked=True),
        "keys, 150 MB chunked, the admin's key": attack(env, "/v1/keys", admin["header"], chunked=True),
        "keys, 150 MB by Content-Length, the admin's key": attack(env, "/v1/keys", admin["header"], chunked=False),
        "open311, 150 MB chunked, no key": attack(env, "/open311/v2/requests.json", {}, chunked=True),
    }
    proc.alive()
    after = proc.status("VmHWM")
    print(f"\ngateway VmHWM before {before} kB, after {after} kB; sent before the answer:",
          {k: f"{s} after {n // MB} MB" for k, (s, n) in results.items()})
    for what, (status, sent) in results.items():
        assert status in (None, 400, 401, 403, 413), (what, status)
        assert sent < TOTAL, f"{what}: the gateway took the whole body before answering"
    assert after - before < GROWTH_KB, f"the gateway's peak RSS grew from {before} to {after} kB"

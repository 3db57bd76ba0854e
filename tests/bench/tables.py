"""`make bench`'s table of figures: one row per figure, one column per store (tests.bench.all)."""
from __future__ import annotations

from tests.bench import report_baseline
from tests.bench.common import SERVICES


def table(results: list[dict]) -> str:
    def row(label: str, fn) -> str:  # type: ignore[no-untyped-def]
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, TypeError):
                cells.append("-")
        return f"| {label} | " + " | ".join(cells) + " |"

    f0 = lambda v: f"{v:,.0f}".replace(",", " ")  # noqa: E731
    f1 = lambda v: f"{v:.1f}"  # noqa: E731
    lines = ["| | " + " | ".join(("SQLite" if r["store"] == "sqlite" else "PostgreSQL") for r in results) + " |",
             "|---|" + "---|" * len(results)]
    lines += [
        row("P1 reports (chats × reports each)", lambda r: f"{r['P1']['chats']} × {r['P1']['per_chat']}"),
        row("P1 reports/s, /report dialogue → projected", lambda r: f1(r["P1"]["reports_per_s"])),
        row("P1 Send → ticket reply p50 / p95 ms", lambda r: f"{f1(r['P1']['reply']['p50_ms'])} / {f1(r['P1']['reply']['p95_ms'])}"),
        row("P1 Send → stored (report_incident answered) p50 / p95 ms", lambda r: f"{f1(r['P1']['stored']['p50_ms'])} / {f1(r['P1']['stored']['p95_ms'])}"),
        row("P1 Send → relayed (subscriber) p50 / p95 ms", lambda r: f"{f1(r['P1']['relayed']['p50_ms'])} / {f1(r['P1']['relayed']['p95_ms'])}"),
        row("P1 Send → projected (indicators) p50 / p95 ms", lambda r: f"{f1(r['P1']['projected']['p50_ms'])} / {f1(r['P1']['projected']['p95_ms'])}"),
        row("P1 whole dialogue (7 updates) p50 / p95 ms", lambda r: f"{f1(r['P1']['dialogue']['p50_ms'])} / {f1(r['P1']['dialogue']['p95_ms'])}"),
        row("P1 bare RPC `sites.ping` sequential p50 / p95 ms", lambda r: f"{f1(r['P1']['bare_rpc_sequential']['p50_ms'])} / {f1(r['P1']['bare_rpc_sequential']['p95_ms'])}"),
        row("P1 bare RPC round trips/s, sequential / through the bot's pool", lambda r: f"{f0(r['P1']['bare_rpc_sequential']['per_s'])} / {f0(r['P1']['bare_rpc_pool_per_s'])}"),
        row("P2 bot /status, 50 chats, p50 / p95 ms", lambda r: f"{f1(r['P2']['bot_status']['p50_ms'])} / {f1(r['P2']['bot_status']['p95_ms'])}"),
        row("P2 replies/s", lambda r: f1(r["P2"]["bot_status"]["replies_per_s"])),
        row("P3 raw notification-log reads, events/s", lambda r: f0(r["P3"]["raw_read_eps"])),
        row("P3 indicators rebuild, events/s", lambda r: f0(r["P3"]["rebuild_eps"])),
        row("P4 `register_site` over RPC, 1 client, events/s", lambda r: f0(r["P4"]["rpc_sequential_eps"])),
        row("P4 over RPC, 8 clients, events/s", lambda r: f0(r["P4"]["rpc_8_clients_eps"])),
        row("P4 bare RPC `sites.ping`, 8 clients, calls/s", lambda r: f0(r["P4"]["bare_rpc_ping_8_clients_eps"])),
        row("P4 Application direct, events/s", lambda r: f0(r["P4"]["application_direct_eps"])),
        row("P4 eventsourcing aggregate save, bare, events/s", lambda r: f0(r["P4"]["eventsourcing_bare_eps"])),
        *(row(label, fn) for label, fn in report_baseline.ROWS),
        row("P8 registry: staff search, 10 000 sites, p50 / p95 ms (target p95 < 300)",
            lambda r: f"{f1(r['P8']['p50_ms'])} / {f1(r['P8']['p95_ms'])}"),
        row("P8 GET /staff/registry rendered, in-process, p50 / p95 ms",
            lambda r: f"{f1(r['P8']['pages']['html']['p50_ms'])} / {f1(r['P8']['pages']['html']['p95_ms'])}"),
        row("P5 events appended (sites+inspections+manifests)", lambda r: f0(r["P5"]["events"])),
        row("P5 catch-up after start, s", lambda r: f0(r["P5"]["catch_up_s"])),
        row("P7 staff inbox (reports in the read model)", lambda r: f0(r["P7"]["reports"])),
        row("P7 inbox page p50 / p95 ms, every query", lambda r: f"{f1(r['P7']['queries']['all']['p50_ms'])} / "
                                                                  f"{f1(r['P7']['queries']['all']['p95_ms'])}"),
        row("P7 inbox worst query p95 ms", lambda r: f1(max(q["p95_ms"] for q in r["P7"]["queries"].values()))),
        row("P7 gateway GET /staff/inbox / GET /v1/staff/inbox p95 ms",
            lambda r: f"{f1(r['P7']['routes']['page']['p95_ms'])} / {f1(r['P7']['routes']['json']['p95_ms'])}"),
    ]
    for s in SERVICES:
        lines.append(row(f"P5 RSS {s}, MiB (fresh → after)",
                         lambda r, s=s: f"{r['rss_fresh_kib'][s] / 1024:.0f} → {r['P5']['rss_kib'][s] / 1024:.0f}"))
    return "\n".join(lines)

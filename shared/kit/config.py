"""Settings from environment variables (pydantic-settings), with safe embedded defaults.

Grouped by who reads them: `settings.bot`, `settings.gateway`, `settings.webhooks`, `settings.staff`,
`settings.services`; what every process needs (broker, store, data dir, actor keys, agencies'
queues) stays at the top. The environment names are unchanged (LANGXANH_BOT_RPC_TIMEOUT is
`settings.bot.rpc_timeout`); `env_names()` maps each one to its place and the README lists them.
A process reads them once: `get_settings()`.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV = SettingsConfigDict(env_prefix="LANGXANH_", extra="ignore", populate_by_name=True)


class _Group(BaseSettings):
    model_config = ENV


class BotSettings(_Group):
    """The Telegram bot (bot/): LANGXANH_BOT_*, TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE_URL."""

    model_config = SettingsConfigDict(env_prefix="LANGXANH_BOT_", extra="ignore", populate_by_name=True)

    rpc_timeout: float = Field(10.0, gt=0, description="Bot: seconds to wait for a service before saying it is busy.")
    rpc_pool: int = Field(8, ge=1, le=64, description="Bot: RPC clients (and threads) in the pool.")
    reports_per_day: int = Field(10, ge=1, le=1000, description="Bot: reports one resident may file per day.")
    max_photo_bytes: int = Field(5_000_000, ge=10_000, le=20_000_000, description="Bot: largest photo accepted.")
    conversation_timeout: float = Field(1800.0, gt=0, description="Bot: seconds of silence that end a conversation.")
    flood_per_minute: int = Field(30, ge=5, le=1000, description="Bot: updates one chat may send per minute.")
    secret: str | None = Field(None, description="Bot: key of the residents' pseudonyms (default: a random key kept in the data dir).")
    persistence: Path | None = Field(None, description="Bot: an earlier version's pickle state file, imported once into the bot's database when that is empty, then renamed *.imported (default: <data dir>/bot/state.pickle).")
    webhook_url: str | None = Field(None, description="Bot: the public https URL Telegram posts updates to (unset: long polling); the bot's own server answers on its path.")
    webhook_listen: str = Field("127.0.0.1:8443", pattern=r"^[^\s:]+:[0-9]{1,5}$",
                                    description="Bot: host:port the webhook server listens on (behind the TLS load balancer).")
    webhook_secret_token: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{16,256}$",
                                                 description="Bot: the X-Telegram-Bot-Api-Secret-Token Telegram must send (default: a random one kept in the data dir; set the same on every replica).")
    webhook_max_bytes: int = Field(1_000_000, ge=10_000, le=10_000_000, description="Bot: largest webhook body accepted (413 above).")
    lease_seconds: float = Field(30.0, ge=0.5, le=600, description="Bot: lease of a chat (and of the poller) held by one replica; a dead replica's chats go on after it.")
    workers: int = Field(64, ge=1, le=1024, description="Bot: chats one replica processes at once.")
    username: str = Field("LangXanhBot", pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$",
                              description="Bot: its Telegram username; the staff's link codes show a QR code of "
                                          "https://t.me/<bot username>?start=<code>.")
    token: str | None = Field(
        None,
        validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN", "LANGXANH_TELEGRAM_BOT_TOKEN"),
        description="Unset: the bot is not connected to Telegram.",
    )
    api_base_url: str | None = Field(
        None, validation_alias=AliasChoices("TELEGRAM_API_BASE_URL", "LANGXANH_TELEGRAM_API_BASE_URL"),
        pattern=r"^https?://[^\s]+$",
        description="Bot: a self-hosted Bot API server (e.g. http://botapi:8081); unset = https://api.telegram.org.")


class GatewaySettings(_Group):
    """The HTTP gateway (services/gateway): LANGXANH_GATEWAY_*, the Open311 quotas, the dashboard map."""

    model_config = SettingsConfigDict(env_prefix="LANGXANH_GATEWAY_", extra="ignore", populate_by_name=True)

    host: str = Field("127.0.0.1", description="Gateway: address the HTTP server listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Gateway: HTTP port.")
    rpc_pool: int = Field(8, ge=1, le=64, description="Gateway: RPC clients (and threads) in the pool.")
    secret: str | None = Field(None, description="Gateway: key of Open311 reporters' pseudonyms (default: a random key kept in the data dir; set the same on every replica).")
    max_body_bytes: int = Field(262_144, ge=1024, le=10_000_000, description="Gateway: largest request body accepted (bytes); larger ones get 413 before being read (Content-Length) or as soon as a chunked body passes it.")
    live_streams_per_key: int = Field(8, ge=1, le=1000, description="Gateway: live SSE streams one API key may hold open in one gateway process; the next gets 429.")
    open311_reports_per_day: int = Field(validation_alias=AliasChoices("LANGXANH_OPEN311_REPORTS_PER_DAY"), default=10, ge=1, le=1000, description="Gateway: Open311 reports one reporter (email, device_id or account_id) may file per day, counted in the gateway's store (shared by replicas).")
    open311_anonymous_reports_per_day: int = Field(validation_alias=AliasChoices("LANGXANH_OPEN311_ANONYMOUS_REPORTS_PER_DAY"), default=100, ge=1, le=100_000, description="Gateway: Open311 reports without email, device_id or account_id one API key may file per day.")
    map_tiles_url: str = Field(validation_alias=AliasChoices("LANGXANH_MAP_TILES_URL"), default="https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_length=500,
                               description="Dashboard: map tile URL template ({z}/{x}/{y}, optional {s}); empty = no tile layer.")


class WebhookSettings(_Group):
    """The gateway's webhook delivery: LANGXANH_WEBHOOK_*, and which webhook addresses are accepted."""

    model_config = SettingsConfigDict(env_prefix="LANGXANH_WEBHOOK_", extra="ignore", populate_by_name=True)

    delivery: bool = Field(True, description="Webhooks: this gateway follows the public streams and delivers "
                                   "(one dispatcher per deployment sends, under a lock).")
    max_attempts: int = Field(8, ge=1, le=100, description="Webhooks: consecutive failed attempts before a webhook is parked.")
    backoff_base: float = Field(2.0, gt=0, le=3600, description="Webhooks: seconds before the first retry, doubled after each failure.")
    backoff_max: float = Field(3600.0, gt=0, le=86_400, description="Webhooks: longest wait between two attempts (seconds).")
    timeout: float = Field(10.0, gt=0, le=300, description="Webhooks: seconds a receiver has to answer a POST.")
    allow_http: bool = Field(validation_alias=AliasChoices("LANGXANH_GATEWAY_ALLOW_HTTP_WEBHOOKS"), default=False, description="Gateway: accept plain http:// webhook URLs (tests, loopback).")
    allow_private: bool = Field(validation_alias=AliasChoices("LANGXANH_GATEWAY_ALLOW_PRIVATE_WEBHOOKS"), default=False, description="Gateway: accept webhook URLs whose host is (or resolves to) a private, loopback or link-local address (tests).")


class StaffSettings(_Group):
    """The staff workspace (/staff, in the gateway): LANGXANH_STAFF_*."""

    model_config = SettingsConfigDict(env_prefix="LANGXANH_STAFF_", extra="ignore", populate_by_name=True)

    base_url: str | None = Field(None, max_length=300, description="Staff: the workspace's public address, "
                                       "for set-password links (default: the address the request came to).")
    session_hours: float = Field(12.0, gt=0, le=24 * 30, description="Staff: a session ends this many hours "
                                       "after login.")
    idle_minutes: float = Field(120.0, gt=0, le=24 * 60, description="Staff: a session unused this many "
                                      "minutes ends.")
    lockout_failures: int = Field(5, ge=2, le=100, description="Staff: wrong passwords in a row that lock "
                                        "an account.")
    lockout_minutes: int = Field(15, ge=1, le=24 * 60, description="Staff: how long a locked account stays "
                                       "locked.")
    link_hours: int = Field(72, ge=1, le=24 * 30, description="Staff: validity of a one-time set-password "
                                  "link (hours).")
    logins_per_minute: int = Field(20, ge=1, le=10_000, description="Staff: login attempts one client "
                                         "address may make per minute, per gateway process.")
    secure_cookies: bool | None = Field(None, description="Staff: mark cookies Secure (default: when the "
                                              "request came over https; set true behind a TLS proxy).")
    max_body_bytes: int = Field(12_000_000, ge=1024, le=60_000_000, description="Staff: largest form body "
                                      "(photos, evidence files) a signed-in member may send.")


class ServiceSettings(_Group):
    """The four nameko services and their kit (relay, followers, timers, RPC guard, metrics), by service: LANGXANH_<NAME>."""

    relay_interval: float = Field(1.0, gt=0, description="Seconds between relay runs (it also runs after each save).")
    relay_batch: int = Field(200, ge=1, le=10_000, description="Notifications read per relay batch.")
    link_code_ttl_hours: int = Field(24, ge=1, le=24 * 90, description="Validity of one-time link codes (hours).")
    link_code_secret: str | None = Field(None, description="Sites: key of the link codes' lookup hash (default: a random "
                                         "key kept in <data dir>/sites/link-code.key; set the same on every replica).")
    link_redeem_max_failures: int = Field(5, ge=1, le=1000, description="Sites: wrong link codes one account may try "
                                          "within the window before it is refused for the lockout.")
    link_redeem_window_minutes: int = Field(60, ge=1, le=7 * 24 * 60, description="Sites: window of the failed "
                                            "link-code attempts counted per account (minutes).")
    link_redeem_lockout_minutes: int = Field(60, ge=1, le=7 * 24 * 60, description="Sites: how long an account that "
                                             "tried too many wrong link codes is refused (minutes).")
    triage_working_days: int = Field(2, ge=1, le=30, description="Incidents: triage due within N working days.")
    resolution_days: int = Field(15, ge=1, le=365, description="Incidents: resolution due within N days.")
    reopen_days: int = Field(30, ge=1, le=365, description="Incidents: a resolved one can be reopened for N days.")
    limit_tables_dir: Path | None = Field(None, description="Extra wastewater-limit tables (JSON), e.g. QCVN 40:2025.")
    copy4_days: int = Field(90, ge=1, le=3650, description="Manifests: copy 4 expected back within N days of hand-over.")
    transit_days: int = Field(7, ge=1, le=365, description="Manifests: in transit at most N days.")
    discrepancy_days: int = Field(15, ge=1, le=365, description="Manifests: a discrepancy reconciled within N days.")
    storage_days: int = Field(365, ge=1, le=3650, description="Manifests: declared stock stored at most N days.")
    classification_validity_years: int = Field(2, ge=1, le=10, description="Indicators: a classification stays current N years.")
    roadmap_file: Path | None = Field(None, description="Indicators: JSON of roadmap targets {target: {unit: {quarter: ratio}}}.")
    deadline_check_interval: float = Field(60.0, gt=0, description="Seconds between deadline timer runs.")
    max_workers: int = Field(10, ge=1, le=200, description="Concurrent workers per service process.")
    metrics_port: int = Field(0, ge=0, le=65500, description="Prometheus /metrics of each service process on this "
                              "port + the service's offset in the catalogue (sites +0, inspections +1, manifests +2, "
                              "indicators +3); 0 = off.")
    metrics_host: str = Field("0.0.0.0", description="Address the /metrics server listens on.")
    photo_max_bytes: int = Field(10_000_000, ge=10_000, le=50_000_000, description="Photos: largest encoded photo "
                                 "store_photo accepts (bytes).")
    photo_max_pixels: int = Field(50_000_000, ge=10_000, le=150_000_000, description="Photos: most pixels (width × "
                                  "height, read from the header before decoding) a JPEG may have; above: refused "
                                  "(a JPEG is decoded at a reduced scale, so its memory stays small).")
    photo_max_pixels_lossless: int = Field(16_000_000, ge=10_000, le=150_000_000, description="Photos: the same "
                                           "for PNG and WebP, which are decoded whole (about 4 bytes a pixel).")
    photo_max_side: int = Field(2560, ge=320, le=10_000, description="Photos: longest side kept; larger photos are "
                                "downscaled (JPEG decoded at a reduced scale) before they are stored.")
    photo_quota_count: int = Field(30, ge=1, le=10_000, description="Photos: photos one resident may store per day "
                                   "(Asia/Ho_Chi_Minh).")
    photo_quota_bytes: int = Field(30_000_000, ge=100_000, le=10_000_000_000, description="Photos: bytes (as stored) "
                                   "one resident may store per day.")
    photo_gc_grace_hours: float = Field(72.0, gt=0, le=24 * 365, description="Photos: a stored photo no incident or "
                                        "violation references is deleted once it is this many hours old.")
    photo_gc_interval: float = Field(3600.0, ge=0, description="Photos: seconds between garbage collections of "
                                     "unreferenced photos by the inspections service (0 = only `langxanh photos gc`).")
    poison_max_deliveries: int = Field(5, ge=2, le=100, description="RPC: deliveries of one request that never "
                                       "completed (the worker crashed or was killed, its reply could not be sent) "
                                       "before it is parked in rpc-<service>.parked and its caller answered Conflict "
                                       "(rule parked).")
    evidence_max_bytes: int = Field(10_000_000, ge=10_000, le=10_000_000, description="Sites: largest evidence file "
                                    "(PDF or photo) of an Art. 56 condition.")


class Settings(BaseSettings):
    """Every setting of Làng Xanh. The README lists them; keep the two in step."""

    model_config = ENV

    amqp_uri: str = Field(
        "amqp://guest:guest@localhost:5672/",
        validation_alias=AliasChoices("AMQP_URI", "LANGXANH_AMQP_URI"),
        description="RabbitMQ broker (vhost included).",
    )
    data_dir: Path = Field(Path("./var"), description="Where SQLite stores, blobs and locks live.")
    database_url: str | None = Field(
        None,
        description="Unset: one SQLite file per service in the data dir. "
        "postgresql://user@host:port/db: PostgreSQL, one schema per service.",
    )
    schema_prefix: str = Field("langxanh_", description="PostgreSQL schema = prefix + service name.")
    pg_pool_size: int = Field(5, ge=1, le=100, description="PostgreSQL: connections each store of a process keeps "
                              "open (eventsourcing's POSTGRES_POOL_SIZE); plan max_connections for every process.")
    pg_max_overflow: int = Field(10, ge=0, le=200, description="PostgreSQL: connections a store may open beyond the "
                                 "pool under load, closed again once returned (POSTGRES_MAX_OVERFLOW).")
    exchange: str = Field("langxanh.events", description="Topic exchange of the public stream.")
    rpc_timeout: float = Field(30.0, gt=0, description="Seconds a client waits for an RPC reply.")
    component: str = Field("cli", pattern=r"^[a-z][a-z0-9_-]{0,39}$",
                           description="The component this process speaks for (its signing key, the roles it may "
                           "assert): a service name, bot, gateway or cli. Services, the bot and the gateway set their own.")
    actor_keys_dir: Path | None = Field(None, description="Directory of the components' HMAC keys, <component>.key "
                                        "(default: <data dir>/keys).")
    actor_keys: dict[str, SecretStr] = Field(default_factory=dict, description="Keys given explicitly, JSON "
                                             "{component: key} (at least 32 characters each): a component needs its "
                                             "own, a service those of the components that call it. They win over files.")
    actor_keys_create: bool = Field(True, description="Create a missing key file (0600) on first use; turn off when "
                                    "keys are provisioned (compose/k8s Secrets).")
    actor_assertion_window: float = Field(300.0, ge=1, le=86_400, description="Seconds an actor assertion stays valid "
                                          "(either side of the service's clock).")
    actor_roles: dict[str, list[str]] = Field(default_factory=dict, description="Per component, the roles it may "
                                              "assert, JSON {component: [role, ...]}, replacing the built-in list.")
    agency_queue_max_length: int = Field(100_000, ge=1, le=100_000_000, description="Agencies: most messages one "
                                         "agency.* queue holds; beyond, the oldest are dropped (operator policy).")
    agency_queue_max_bytes: int = Field(64 * 1024 * 1024, ge=1024, le=1 << 40, description="Agencies: most bytes of "
                                        "message bodies one agency.* queue holds; beyond, the oldest are dropped.")
    agency_queue_expires: float = Field(7 * 86_400, ge=60, le=365 * 86_400, description="Agencies: seconds an "
                                        "agency.* queue with no consumer lives before the broker deletes it.")
    broker_passwords: dict[str, str] = Field({}, description="Broker setup: the password of each component's user, "
                                             'as JSON {"sites": "…", "bot": "…"}; a component left out gets a random one.')
    follow_catch_up_interval: float = Field(5.0, gt=0, description="Seconds between a follower's catch-up pulls.")
    follow_max_failures: int = Field(5, ge=1, le=100, description="Followers: failed attempts at one stream message "
                                     "before it is parked in <queue>.parked (a message that is not a valid envelope "
                                     "is parked at once).")

    bot: BotSettings = Field(default_factory=BotSettings, description="The Telegram bot.")
    gateway: GatewaySettings = Field(default_factory=GatewaySettings, description="The HTTP gateway.")
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings, description="The gateway's webhooks.")
    staff: StaffSettings = Field(default_factory=StaffSettings, description="The staff workspace.")
    services: ServiceSettings = Field(default_factory=ServiceSettings, description="The four services.")

    @property
    def keys_dir(self) -> Path:
        return self.actor_keys_dir or self.data_dir / "keys"

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url)

    def sqlite_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.sqlite3"

    def schema_for(self, service: str) -> str:
        return f"{self.schema_prefix}{service}"

    def describe_store(self, service: str) -> str:
        if self.uses_postgres:
            return f"PostgreSQL {redact(self.database_url)} schema {self.schema_for(service)}"
        return f"SQLite {self.sqlite_path(service).resolve()}"


def redact(url: str | None) -> str:
    """Hide a password in a URL before it is printed."""
    if not url or "@" not in url or "://" not in url:
        return url or ""
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"


GROUPS = ("bot", "gateway", "webhooks", "staff", "services")


def _env_of(name: str, field, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    if isinstance(alias, str):
        return [alias]
    return [f"{prefix}{name}".upper()]


@lru_cache(maxsize=1)
def env_names() -> Mapping[str, str]:
    """Every environment variable the settings read → where it lands ("bot.rpc_timeout", "amqp_uri").
    Derived from the models once (get_settings() consults it on every call)."""
    out: dict[str, str] = {}
    for name, field in Settings.model_fields.items():
        if name in GROUPS:
            group = field.default_factory
            for sub, subfield in group.model_fields.items():
                for env in _env_of(sub, subfield, group.model_config.get("env_prefix", "")):
                    out[env] = f"{name}.{sub}"
        else:
            for env in _env_of(name, field, ENV["env_prefix"]):
                out[env] = name
    return MappingProxyType(out)


def with_values(settings: Settings, **values: object) -> Settings:
    """A copy with some settings changed, each named as its environment variable without the
    LANGXANH_ prefix (`with_values(s, bot_rpc_timeout=3, data_dir=p)`); a group's values are validated."""
    names = env_names()
    top: dict[str, object] = {}
    groups: dict[str, dict[str, object]] = {}
    for key, value in values.items():
        place = names.get(f"LANGXANH_{key.upper()}") or names.get(key.upper())
        if place is None:
            raise TypeError(f"there is no setting {key!r} (LANGXANH_{key.upper()})")
        group, _, field = place.rpartition(".")
        if group:
            groups.setdefault(group, {})[field] = value
        else:
            top[field] = value
    for group, changes in groups.items():
        current = getattr(settings, group)
        kept = {name: getattr(current, name) for name in type(current).model_fields}
        top[group] = type(current)(**{**kept, **changes})
    return settings.model_copy(update=top)


def _environment() -> tuple[tuple[str, str], ...]:
    names = env_names()
    return tuple(sorted((k, v) for k, v in os.environ.items() if k.upper() in names))


@lru_cache(maxsize=16)
def _read(environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


def get_settings() -> Settings:
    """The settings of this process, read once: the same object until the environment changes
    (an in-process test that sets a variable gets fresh settings, never a stale copy)."""
    return _read(_environment())

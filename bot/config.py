"""Settings from the environment.

Everything the process needs to know about its surroundings is read here, once, into a frozen
dataclass that is handed to whatever needs it. A bad environment is reported in one message that
names every problem at once, so an operator fixes their `.env` in one go instead of one crash per
variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.download import canonical_host

DEFAULT_KLING_API_BASE = "https://api.acedata.cloud"
# KLING_API_BASE=simulated: a Kling made inside the bot (bot.kling.simulated), to try every
# command before buying Kling credits; no token, no network.
SIMULATED_KLING = "simulated"
DEFAULT_DATABASE_URL = "sqlite:///data/klingcord.db"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
LOG_FORMATS = ("text", "json")  # json: one object per line, with job_id (bot.logs)
# The shortest operator bearer token accepted (never shown: the value is not echoed).
METRICS_TOKEN_MIN = 16


class ConfigError(Exception):
    """The environment is missing or malformed; `problems` lists each variable at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            "klingcord cannot start, the configuration has problems:\n"
            f"{lines}\n"
            "Copy .env.example to .env and fill it in (see the README's settings table)."
        )


@dataclass(frozen=True)
class Settings:
    """The process configuration. Secrets are kept out of `repr` so they never reach a log."""

    discord_token: str = field(repr=False)
    kling_api_token: str = field(repr=False)
    kling_api_base: str = DEFAULT_KLING_API_BASE
    # May carry a PostgreSQL password: kept out of repr like the tokens.
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    public_base_url: str | None = None
    web_host: str = "0.0.0.0"
    web_port: int = 8080
    # The operator address: /healthz and /metrics, never on the public port. Loopback by
    # default; a token (kept out of repr) guards a bind that others can reach.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    metrics_token: str | None = field(default=None, repr=False)
    # The longest the job counts behind /metrics and /klingbot status are kept before a reader
    # counts the jobs table again.
    metrics_refresh_seconds: float = 15.0
    default_credits_per_day: int = 10
    credit_reset_hour_utc: int = 0
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    job_deadline_seconds: float = 1800.0
    queue_timeout_seconds: float = 7200.0
    poll_interval_seconds: float = 5.0
    instance_id: str = "local"
    max_jobs_per_member: int = 2
    max_jobs_per_server: int = 5
    kling_concurrency: int = 10
    kling_models_file: Path | None = None
    costs_file: Path | None = None
    # A running delivery's claim on its job, renewed every third of it for as long as the
    # delivery runs; a crashed process's claim lapses after it. Not an operator setting
    # (nothing to tune); the tests shorten it.
    delivery_lease_seconds: float = 60.0
    # The longest a result waits for its job's thread, which Discord may be slow to start
    # (thread limits): past it, the result goes to the channel. Not an operator setting; the
    # tests shorten it.
    thread_wait_seconds: float = 10.0
    # Hosts whose videos are fetched even though their address is not public.
    trusted_video_hosts: frozenset[str] = frozenset()
    # Where the instance's folder for videos being fetched goes. Not an environment variable:
    # None is the system's temporary folder (TMPDIR), and tests point it at their own.
    temp_root: Path | None = None
    # How long the simulated Kling takes over a video (KLING_API_BASE=simulated). Not an
    # operator setting: "a few seconds" is the point; the tests shorten it.
    simulated_seconds: float = 3.0

    @property
    def kling_simulated(self) -> bool:
        """Whether the bot runs its own simulated Kling (KLING_API_BASE=simulated)."""
        return self.kling_api_base == SIMULATED_KLING
    # FFmpeg encodes (fitting a result to the upload limit, joining a story) running at once,
    # and how long one may take before it is stopped and the link posted instead.
    transcode_concurrency: int = 1
    transcode_timeout_seconds: float = 600.0
    # Join the story: Joins running at once in the process, and of one member; more are
    # refused "busy" (each holds every part of its story on disk while it runs).
    join_concurrency: int = 1
    joins_per_member: int = 1

    @property
    def callbacks_enabled(self) -> bool:
        """Whether Kling is asked to call back (PUBLIC_BASE_URL is set); without it, polling alone
        finds the results."""
        return self.public_base_url is not None

    def callback_url(self, token: str) -> str | None:
        """Where Kling should POST the result of the job that owns `token`."""
        if self.public_base_url is None:
            return None
        return f"{self.public_base_url}/kling/callback/{token}"


class _Reader:
    """Collects problems instead of raising at the first one."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self.problems: list[str] = []

    def raw(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def required(self, name: str, why: str) -> str:
        value = self.raw(name)
        if value is None:
            self.problems.append(f"{name} is missing ({why})")
            return ""
        return value

    def count(self, name: str, default: int, *, low: int = 0, high: int | None = None) -> int:
        """A whole number that has a default: the default when unset or malformed."""
        number = self.integer(name, default, low=low, high=high)
        return default if number is None else number

    def integer(self, name: str, default: int | None, *, low: int = 0, high: int | None = None
                ) -> int | None:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            self.problems.append(f"{name} must be a whole number, got {value!r}")
            return default
        if number < low or (high is not None and number > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problems.append(f"{name} must be {bound}, got {number}")
            return default
        return number

    def number(self, name: str, default: float, *, low: float = 0.0) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            self.problems.append(f"{name} must be a number, got {value!r}")
            return default
        if number <= low:
            self.problems.append(f"{name} must be greater than {low}, got {value}")
            return default
        return number

    def url(self, name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
        value = self.raw(name)
        if value is None:
            return default
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            allowed = " or ".join(f"{s}://" for s in schemes)
            self.problems.append(f"{name} must be a URL starting with {allowed}, got {value!r}")
            return default
        return value.rstrip("/")

    def path(self, name: str) -> Path | None:
        value = self.raw(name)
        if value is None:
            return None
        path = Path(value)
        if not path.is_file():
            self.problems.append(f"{name} points at {value!r}, which is not a readable file")
            return None
        return path


def _database_url(reader: _Reader) -> str:
    value = reader.raw("DATABASE_URL") or DEFAULT_DATABASE_URL
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme == "sqlite":
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            reader.problems.append(
                f"DATABASE_URL must look like sqlite:///path/to/file.db, got {value!r}"
            )
    elif scheme in ("postgresql", "postgres"):
        # The rest is asyncpg's to read, as libpq would: a URL without a host means the local
        # socket or PGHOST, and ?sslmode=... and friends are valid. Never echo it: it may
        # hold a password.
        pass
    else:
        reader.problems.append(
            f"DATABASE_URL has an unknown scheme {scheme or value!r}: use "
            "sqlite:///path/to/file.db or postgresql://user:password@host:5432/database"
        )
    return value


def _shard_ids(reader: _Reader, shard_count: int | None) -> tuple[int, ...] | None:
    value = reader.raw("SHARD_IDS")
    if value is None:
        return None
    try:
        ids = tuple(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        reader.problems.append(f"SHARD_IDS must be comma-separated numbers, got {value!r}")
        return None
    if shard_count is None:
        reader.problems.append("SHARD_IDS needs SHARD_COUNT as well")
    elif any(i < 0 or i >= shard_count for i in ids) or not ids:
        reader.problems.append(f"SHARD_IDS must be numbers from 0 to {shard_count - 1}")
    return ids


_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _trusted_hosts(reader: _Reader) -> frozenset[str]:
    """TRUSTED_VIDEO_HOSTS: host names or IP addresses, comma-separated, no scheme or port."""
    value = reader.raw("TRUSTED_VIDEO_HOSTS")
    if value is None:
        return frozenset()
    hosts: set[str] = set()
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        host = canonical_host(part)
        try:
            ipaddress.ip_address(host)
        except ValueError:
            labels = host.split(".")
            if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
                reader.problems.append(
                    "TRUSTED_VIDEO_HOSTS must be host names or IP addresses separated by "
                    f"commas, without scheme, port or path (like cdn.example.org,10.0.0.5), "
                    f"got {part!r}")
                continue
        hosts.add(host)
    return frozenset(hosts)


def _default_instance_id(shard_ids: str | None) -> str:
    """Stable across restarts of the same process slot: the host plus its shards."""
    shards = (shard_ids or "all").replace(",", "+").replace(" ", "")
    return f"{socket.gethostname()}:{shards}"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `env` (the process environment by default); raise `ConfigError`."""
    reader = _Reader(os.environ if env is None else env)
    discord_token = reader.required(
        "DISCORD_TOKEN", "the bot token from the Discord developer portal"
    )
    simulated = (reader.raw("KLING_API_BASE") or "").lower() == SIMULATED_KLING
    if simulated:
        # The simulated Kling takes any token; none is needed to try the bot.
        kling_token = reader.raw("KLING_API_TOKEN") or ""
    else:
        kling_token = reader.required(
            "KLING_API_TOKEN", "the API token of your Kling/AceData account, or "
            "KLING_API_BASE=simulated to try the bot without one")
    log_level = (reader.raw("LOG_LEVEL") or Settings.log_level).upper()
    if log_level not in LOG_LEVELS:
        allowed = ", ".join(LOG_LEVELS)
        reader.problems.append(f"LOG_LEVEL must be one of {allowed}, got {log_level!r}")
        log_level = Settings.log_level
    log_format = (reader.raw("LOG_FORMAT") or Settings.log_format).lower()
    if log_format not in LOG_FORMATS:
        reader.problems.append(f"LOG_FORMAT must be text or json, got {log_format!r}")
        log_format = Settings.log_format
    shard_count = reader.integer("SHARD_COUNT", None, low=1)
    metrics_token = reader.raw("METRICS_TOKEN")
    if metrics_token is not None and len(metrics_token) < METRICS_TOKEN_MIN:
        # A short token is easy to guess, and too short for the log scrubber to hide safely.
        reader.problems.append(f"METRICS_TOKEN must be at least {METRICS_TOKEN_MIN} "
                               f"characters long (it has {len(metrics_token)})")
    # Each default is the one `Settings` declares, read from the class: written once.
    settings = Settings(
        discord_token=discord_token,
        kling_api_token=kling_token,
        kling_api_base=SIMULATED_KLING if simulated else (
            reader.url("KLING_API_BASE", DEFAULT_KLING_API_BASE, ("https", "http"))
            or DEFAULT_KLING_API_BASE),
        database_url=_database_url(reader),
        public_base_url=reader.url("PUBLIC_BASE_URL", None, ("https", "http")),
        web_host=reader.raw("WEB_HOST") or Settings.web_host,
        web_port=reader.count("WEB_PORT", Settings.web_port, low=0, high=65535),
        metrics_host=reader.raw("METRICS_HOST") or Settings.metrics_host,
        metrics_port=reader.count("METRICS_PORT", Settings.metrics_port, low=0, high=65535),
        metrics_token=metrics_token,
        metrics_refresh_seconds=reader.number("METRICS_REFRESH_SECONDS",
                                              Settings.metrics_refresh_seconds),
        default_credits_per_day=reader.count("DEFAULT_CREDITS_PER_DAY",
                                             Settings.default_credits_per_day, low=0),
        credit_reset_hour_utc=reader.count("CREDIT_RESET_HOUR_UTC",
                                           Settings.credit_reset_hour_utc, low=0, high=23),
        dev_guild_id=reader.integer("DEV_GUILD_ID", None, low=1),
        log_level=log_level,
        log_format=log_format,
        shard_count=shard_count,
        shard_ids=_shard_ids(reader, shard_count),
        job_deadline_seconds=reader.number("JOB_DEADLINE_SECONDS", Settings.job_deadline_seconds),
        queue_timeout_seconds=reader.number("QUEUE_TIMEOUT_SECONDS",
                                            Settings.queue_timeout_seconds),
        poll_interval_seconds=reader.number("POLL_INTERVAL_SECONDS",
                                            Settings.poll_interval_seconds),
        instance_id=reader.raw("INSTANCE_ID") or _default_instance_id(reader.raw("SHARD_IDS")),
        max_jobs_per_member=reader.count("MAX_JOBS_PER_MEMBER", Settings.max_jobs_per_member,
                                         low=1),
        max_jobs_per_server=reader.count("MAX_JOBS_PER_SERVER", Settings.max_jobs_per_server,
                                         low=1),
        kling_concurrency=reader.count("KLING_CONCURRENCY", Settings.kling_concurrency, low=1),
        kling_models_file=reader.path("KLING_MODELS_FILE"),
        costs_file=reader.path("CREDIT_COSTS_FILE"),
        trusted_video_hosts=_trusted_hosts(reader),
        transcode_concurrency=reader.count("TRANSCODE_CONCURRENCY",
                                           Settings.transcode_concurrency, low=1),
        transcode_timeout_seconds=reader.number("TRANSCODE_TIMEOUT_SECONDS",
                                                Settings.transcode_timeout_seconds),
        join_concurrency=reader.count("JOIN_CONCURRENCY", Settings.join_concurrency, low=1),
        joins_per_member=reader.count("JOINS_PER_MEMBER", Settings.joins_per_member, low=1),
    )
    if reader.problems:
        raise ConfigError(reader.problems)
    return settings

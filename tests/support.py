"""Test scaffolding shared by the engine tests: settings pointing at the fakes, a member's text
video request, the ledger's size, and a notifier that stands in for Discord (the edge) while
recording what a user would have seen."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.discord.i18n.render import failure_reason, sentence
from bot.download import VideoFetcher
from bot.errors import Notice
from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.publishing import Posted, ResultPost
from bot.store import Job, Store

# Opens another store object on the test's database (the `open_store` fixture).
StoreFactory = Callable[[], Awaitable[Store]]

DISCORD_TOKEN = "test-discord-token-Xq8.abc.def"
KLING_TOKEN = "test-kling-token-5f0c2b1e"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(tmp_path: Path, kling_base: str, *, callbacks: bool = True,
                  **overrides: Any) -> Settings:
    port = free_port()
    values: dict[str, Any] = {
        "discord_token": DISCORD_TOKEN,
        "kling_api_token": KLING_TOKEN,
        "kling_api_base": kling_base,
        "database_url": f"sqlite:///{tmp_path / 'klingcord.db'}",
        "public_base_url": f"http://127.0.0.1:{port}" if callbacks else None,
        "web_host": "127.0.0.1",
        "web_port": port,
        # The operator address (health, metrics): a port the OS picks, `engine.operator.port`.
        "metrics_port": 0,
        "poll_interval_seconds": 0.1,
        "default_credits_per_day": 100,
        # The fake Kling serves its videos from 127.0.0.1, which is not a public address.
        "trusted_video_hosts": frozenset({"127.0.0.1"}),
        # The test's own folder: a start empties the instance's folder, and other test runs
        # on this machine use the same INSTANCE_ID.
        "temp_root": tmp_path,
    }
    values.update(overrides)
    return Settings(**values)



def text_job(prompt: str = "a white cat walking on a beach at sunset", **options: object
             ) -> JobRequest:
    """A member's /video text request in the tests' one server and channel."""
    return JobRequest(guild_id=1, channel_id=10, user_id=100,
                      options=VideoOptions(action="text2video", prompt=prompt, **options))


async def ledger_rows(engine: object) -> int:
    """Every ledger row, of any kind, whichever backend the test runs on."""
    async with engine.store._read() as tx:  # type: ignore[attr-defined]
        rows = await tx.fetch("SELECT COUNT(*) AS n FROM ledger")
    return int(rows[0]["n"])


@dataclass
class Delivered:
    job_id: str
    channel_id: int
    size: int
    sha256: str
    video_id: str | None
    duration: float | None


@dataclass
class RecordingNotifier:
    """Records each call; `post_result` records the file the core prepared (downloaded with
    the engine's fetcher, as for the Discord one) by its digest, or "link" when the core
    chose to post the link (over `max_bytes`, the upload limit it reports). Failures and
    alerts are recorded as the member or moderator would read them (the Discord layer's
    words)."""

    max_bytes: int = 10 * 1024 * 1024
    videos: VideoFetcher | None = None
    announced: list[str] = field(default_factory=list)
    progress_log: list[tuple[str, str]] = field(default_factory=list)
    delivered: list[Delivered] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    download_paths: list[Path] = field(default_factory=list)
    fail_deliveries: int = 0
    _next_id: int = 1000

    def __post_init__(self) -> None:
        self.changed = asyncio.Event()

    def _touch(self) -> None:
        self.changed.set()

    async def post_card(self, job: Job) -> int:
        self.announced.append(job.id)
        self._next_id += 1
        self._touch()
        return self._next_id

    async def start_thread(self, job: Job) -> int | None:
        # As on Discord, a thread started from a message has the message's id.
        return job.status_message_id

    async def progress(self, job: Job) -> None:
        self.progress_log.append((job.id, job.state.value))
        self._touch()

    async def upload_limit(self, guild_id: int | None) -> int:
        return self.max_bytes

    async def post_result(self, post: ResultPost, *, resumed: bool = False) -> Posted:
        if self.fail_deliveries > 0:
            self.fail_deliveries -= 1
            raise ConnectionError("Discord is down")
        job = post.job
        if post.path is not None:
            digest = hashlib.sha256(post.path.read_bytes()).hexdigest()
            size = post.path.stat().st_size
            self.download_paths.append(post.path)
        else:
            digest, size = "link", -1
        self.delivered.append(Delivered(job.id, job.post_channel_id, size, digest,
                                        job.video_id, job.video_duration))
        self._next_id += 1
        self._touch()
        return Posted(job.post_channel_id, self._next_id)

    async def failed(self, job: Job) -> None:
        self.failures.append((job.id, failure_reason(job)))
        self._touch()

    async def alert(self, guild_id: int | None, notice: Notice) -> None:
        self.alerts.append(sentence(notice))
        self._touch()

    async def ask_review(self, job: Job) -> int | None:
        self.reviews.append(job.id)
        self._touch()
        return None


async def eventually(predicate: Any, timeout: float = 10.0) -> Any:
    """Wait for `predicate()` (sync or async) to be truthy; return its value."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > end:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.02)

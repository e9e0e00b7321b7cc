"""The core assembled: store, Kling client, job service, callback receiver, poller and web
server, started and stopped as one. The Discord client builds one in `setup_hook` with its
notifier; tests build one with a notifier of their own; nothing here imports discord.py."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bot.config import Settings
from bot.dispatch import Limits
from bot.download import VideoFetcher, video_directory
from bot.jobs import Clock, JobNotifier, JobService
from bot.kling.capabilities import load_capabilities
from bot.kling.client import KlingClient, RetryPolicy
from bot.moderation import Moderation
from bot.quotas import QuotaBook, load_costs
from bot.store import Store, make_store
from bot.tracker import CallbackReceiver, Poller
from bot.web import WebServer

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The engine cannot start (database unreachable, port taken); the message says which."""


class Engine:
    def __init__(self, settings: Settings, notifier: JobNotifier, *, clock: Clock = time.time,
                 retry: RetryPolicy | None = None, store: Store | None = None,
                 readiness: Callable[[], dict[str, bool]] | None = None,
                 session: aiohttp.ClientSession | None = None,
                 videos: VideoFetcher | None = None) -> None:
        self.settings = settings
        self._owns_session = session is None
        self.session = session or aiohttp.ClientSession()
        self.store = store or make_store(settings.database_url)
        self.kling = KlingClient(self.session, settings.kling_api_base,
                                 settings.kling_api_token, retry=retry)
        self.capabilities = load_capabilities(settings.kling_models_file)
        self.videos = videos or VideoFetcher(
            video_directory(settings.temp_root or Path(tempfile.gettempdir()),
                            settings.instance_id),
            settings.trusted_video_hosts)
        self.jobs = JobService(
            store=self.store,
            kling=self.kling,
            notifier=notifier,
            settings=settings,
            capabilities=self.capabilities,
            costs=load_costs(settings.costs_file),
            quota=QuotaBook(self.store, bot_default=settings.default_credits_per_day,
                            bot_reset_hour=settings.credit_reset_hour_utc),
            limits=Limits(per_member=settings.max_jobs_per_member,
                          per_server=settings.max_jobs_per_server,
                          total=settings.kling_concurrency),
            clock=clock,
        )
        self.moderation = Moderation(self.store, self.jobs.quota, clock)
        self.receiver = CallbackReceiver(self.jobs)
        self.poller = Poller(self.jobs, interval=settings.poll_interval_seconds)
        self.web = WebServer(self.jobs, self.receiver, self.poller, host=settings.web_host,
                             port=settings.web_port, readiness=readiness)
        self._poller_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Empty the temporary folder, open the store, listen for callbacks, recover unfinished
        jobs, start polling."""
        try:
            # Before recovery starts deliveries: what is there was left by a killed process.
            self.videos.prepare()
        except OSError as exc:
            raise StartupError(f"cannot use the temporary folder {self.videos.directory} "
                               f"({exc}). Set TMPDIR to a folder the bot may write.") from None
        try:
            await self.store.open()
        except Exception as exc:
            raise StartupError(f"cannot open the database ({type(exc).__name__}: {exc}). "
                               "Check DATABASE_URL and that the database is running.") from None
        try:
            await self.web.start()
        except OSError as exc:
            raise StartupError(f"cannot listen on {self.settings.web_host}:"
                               f"{self.settings.web_port} ({exc.strerror}). Set WEB_PORT to a "
                               "free port.") from None
        single_process = self.settings.database_url.startswith("sqlite")
        await self.jobs.recover(single_process=single_process)
        self._poller_task = asyncio.create_task(self.poller.run(), name="kling-poller")

    async def close(self) -> None:
        if self._poller_task is not None:
            self._poller_task.cancel()
            try:
                await self._poller_task
            except asyncio.CancelledError:
                pass
            self._poller_task = None
        await self.web.close()
        await self.jobs.close()
        await self.videos.close()
        if self._owns_session:
            await self.session.close()
        await self.store.close()

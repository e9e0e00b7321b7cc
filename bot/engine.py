"""The core assembled: store, Kling client, the job life's pieces, callback receiver, poller and
web servers (the public callback one and the operator one), started and stopped as one; and
`status()`/`health()`, the one account of how it is doing (for /klingbot status and /healthz).
The Discord client builds one in `setup_hook` with its notifier; tests build one with a notifier
of their own; nothing here imports discord.py."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bot.clock import Clock
from bot.community.filter_checks import FilterChecks
from bot.community.filters import PromptFilters
from bot.community.gifts import Gifts
from bot.community.reports import Reports
from bot.community.rewards import Rewards
from bot.config import Settings
from bot.download import VideoFetcher, video_directory
from bot.job_counts import JobCounts
from bot.jobs import Chains, JobNotifier, Limits, assemble_jobs
from bot.jobs.join_turns import JoinTurns
from bot.jobs.review import Reviews
from bot.kling.capabilities import CapabilityTable, load_capabilities
from bot.kling.client import KlingClient, RetryPolicy
from bot.kling.simulated import SimulatedKling
from bot.media import FFmpeg, VideoTools, ffmpeg_executable
from bot.moderation import AuditSink, Moderation
from bot.operator_web import MetricsSources, OperatorServer
from bot.publishing import Publisher
from bot.quotas import QuotaBook, load_costs
from bot.references import PendingReferences
from bot.settings_changes import SettingsChanges
from bot.status import EngineStatus
from bot.store import Store, make_store
from bot.tracker import CallbackReceiver, Poller
from bot.web import WebServer

log = logging.getLogger(__name__)

__all__ = ["Engine", "EngineStatus", "StartupError"]


def video_fetcher(settings: Settings) -> VideoFetcher:
    """The process's video fetcher: the instance's own temporary folder, the trusted hosts.
    Made once by whoever assembles the process and shared by the engine and the notifier."""
    return VideoFetcher(
        video_directory(settings.temp_root or Path(tempfile.gettempdir()), settings.instance_id),
        settings.trusted_video_hosts)


def video_tools(settings: Settings, videos: VideoFetcher) -> VideoTools:
    """The process's FFmpeg work (fitting, last frames, stories): at most
    TRANSCODE_CONCURRENCY encodes at once, in the fetcher's folder (emptied at start)."""
    ffmpeg = FFmpeg(ffmpeg_executable(), concurrency=settings.transcode_concurrency,
                    timeout=settings.transcode_timeout_seconds)
    return VideoTools(ffmpeg, videos.directory)


class StartupError(Exception):
    """The engine cannot start (database unreachable, port taken); the message says which."""


class Engine:
    """The core of one process: the job life, its background work and the web server, started
    and stopped as one. Everything a Discord client or a test needs from the core hangs here."""

    def __init__(self, settings: Settings, notifier: JobNotifier, *, clock: Clock = time.time,
                 retry: RetryPolicy | None = None, store: Store | None = None,
                 readiness: Callable[[], dict[str, bool]] | None = None,
                 session: aiohttp.ClientSession | None = None,
                 videos: VideoFetcher | None = None,
                 media: VideoTools | None = None,
                 capabilities: CapabilityTable | None = None,
                 audit: AuditSink | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.readiness = readiness
        self._owns_session = session is None
        self.session = session or aiohttp.ClientSession()
        self.store = store or make_store(settings.database_url)
        self.capabilities = capabilities or load_capabilities(settings.kling_models_file)
        self.videos = videos if videos is not None else video_fetcher(settings)
        # KLING_API_BASE=simulated: Kling is made here, and only its address is trusted.
        self.simulator: SimulatedKling | None = None
        kling_base = settings.kling_api_base
        if settings.kling_simulated:
            self.simulator = SimulatedKling(self.capabilities, seconds=settings.simulated_seconds,
                                            root=settings.temp_root)
            kling_base = self.simulator.base_url
            self.videos.trust_origin(*self.simulator.origin)
        self.kling = KlingClient(self.session, kling_base, settings.kling_api_token,
                                 retry=retry)
        # Prices may name a model by an alias; the jobs carry its wire name.
        costs = load_costs(settings.costs_file).named(self.capabilities.resolve)
        self.media = media if media is not None else video_tools(settings, self.videos)
        quota = QuotaBook(self.store, bot_default=settings.default_credits_per_day,
                          bot_reset_hour=settings.credit_reset_hour_utc)
        # What is posted about a job (results, Continue frames, joined stories) is decided here.
        self.publisher = Publisher(self.store, self.videos, self.media, self.capabilities,
                                   simulated=settings.kling_simulated)
        # Prompt filter checks run on their own bounded pool, shared fairly by servers.
        self.filter_checks = FilterChecks()
        pieces = assemble_jobs(
            store=self.store, kling=self.kling, notifier=notifier, publisher=self.publisher,
            settings=settings,
            capabilities=self.capabilities, costs=costs, quota=quota,
            limits=Limits(per_member=settings.max_jobs_per_member,
                          per_server=settings.max_jobs_per_server,
                          total=settings.kling_concurrency),
            clock=clock, filter_checks=self.filter_checks)
        self.jobs = pieces.service
        self.dispatcher = pieces.dispatcher
        self.dispatch_pause = pieces.dispatch_pause
        self.delivery = pieces.delivery
        self.maintenance = pieces.maintenance
        self.recovery = pieces.recovery
        self.results = pieces.results
        self.moderation = Moderation(self.store, quota, clock, audit=audit)
        # Every settings change, from any command: checked, written and audited at once.
        self.settings_changes = SettingsChanges(self.store, self.capabilities, clock,
                                                audit=self.moderation.audit)
        self.references = PendingReferences(self.store, clock)
        self.chains = Chains(self.store, clock, instance_id=settings.instance_id,
                             turns=JoinTurns(total=settings.join_concurrency,
                                             per_member=settings.joins_per_member))
        # Community moderation: prompt filters, review, reports, gifts, reaction rewards.
        self.filters = PromptFilters(self.store, self.moderation, clock, self.filter_checks)
        self.reviews = Reviews(store=self.store, failures=pieces.failures, notifier=notifier,
                               moderation=self.moderation,
                               dispatch_soon=pieces.dispatcher.dispatch_soon,
                               queue_timeout_seconds=settings.queue_timeout_seconds,
                               clock=clock)
        self.reports = Reports(self.store, self.moderation, clock)
        self.gifts = Gifts(self.store, quota, self.moderation, clock)
        self.rewards = Rewards(self.store, quota, clock)
        self.receiver = CallbackReceiver(store=self.store, results=pieces.results)
        self.poller = Poller(store=self.store, kling=self.kling, results=pieces.results,
                             failures=pieces.failures, maintenance=pieces.maintenance,
                             clock=clock, interval=settings.poll_interval_seconds,
                             callbacks_enabled=settings.callbacks_enabled)
        kling, poller, receiver = self.kling, self.poller, self.receiver
        self.web = WebServer(self.receiver, host=settings.web_host, port=settings.web_port)
        # /metrics reads kept counts: a scrape never scans the jobs table on its own.
        self.job_counts = JobCounts(self.store.count_by_state, clock=time.monotonic,
                                    max_age=settings.metrics_refresh_seconds)
        self.operator = OperatorServer(
            health=self.health, sources=MetricsSources(
                job_counts=self.job_counts.get, callbacks=lambda: receiver.counts,
                kling_calls=lambda: kling.calls, poller_ticks=lambda: poller.stats.ticks),
            host=settings.metrics_host, port=settings.metrics_port,
            token=settings.metrics_token)
        self._poller_task: asyncio.Task[None] | None = None

    async def status(self) -> EngineStatus:
        """How the engine is doing now, with the jobs counted by state (a moderator's
        /klingbot status, rare enough to count afresh): see `health` for the checks."""
        try:
            counts = await self.store.count_by_state()
            reachable = True
        except Exception:
            log.exception("Status: store unavailable")
            counts, reachable = {}, False
        return self._status(counts, reachable)

    async def health(self) -> EngineStatus:
        """The checks alone, in constant time whatever the store holds (/healthz, asked every few
        seconds): the store answers a trivial query, the poller ticks, Kling takes jobs, and the
        edge's own readiness checks (e.g. the Discord gateway). No job is counted."""
        try:
            await self.store.ping()
            reachable = True
        except Exception:
            log.exception("Health check: store unavailable")
            reachable = False
        return self._status({}, reachable)

    def _status(self, counts: dict[str, int], reachable: bool) -> EngineStatus:
        return EngineStatus(
            job_counts=counts, store_reachable=reachable,
            poller_last_tick=self.poller.stats.last_tick_at,
            poller_current=self.poller.is_current(self.clock()),
            kling_paused=self.jobs.paused_reason is not None,
            readiness=dict(self.readiness()) if self.readiness is not None else {})

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
        if self.simulator is not None:
            await self.simulator.start()
        settings = self.settings
        for server, variable in ((self.web, "WEB_PORT"), (self.operator, "METRICS_PORT")):
            try:
                await server.start()
            except OSError as exc:
                await self.web.close()
                raise StartupError(f"cannot listen on {server.host}:{server.port} "
                                   f"({exc.strerror}). Set {variable} to a free port.") from None
        if not settings.metrics_token and not _loopback(settings.metrics_host):
            log.warning("METRICS_HOST %s is reachable from other hosts and METRICS_TOKEN is "
                        "not set: anyone who reaches it reads the health and metrics",
                        settings.metrics_host)
        single_process = self.settings.database_url.startswith("sqlite")
        await self.chains.release_dead_claims(single_process=single_process)
        await self.recovery.recover(single_process=single_process)
        self._poller_task = asyncio.create_task(self.poller.run(), name="kling-poller")

    async def close(self) -> None:
        """Stop the poller, the background work, the web server and the store, in that order, so
        nothing writes to a closed store."""
        if self._poller_task is not None:
            self._poller_task.cancel()
            try:
                await self._poller_task
            except asyncio.CancelledError:
                pass
            self._poller_task = None
        await self.web.close()
        await self.operator.close()
        if self.simulator is not None:
            await self.simulator.close()
        await self.jobs.close()
        self.filter_checks.close()
        await self.videos.close()
        if self._owns_session:
            await self.session.close()
        await self.store.close()


def _loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (loopback)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

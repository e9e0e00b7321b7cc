"""The discord.py client: builds the notifier, the engine and the services the cogs use in
`setup_hook`, registers the persistent buttons, loads the cogs, syncs commands; its tree turns
command errors into private answers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.discord.errors import reply_error
from bot.discord.flows.price_confirmation import CONFIRM_SECONDS
from bot.discord.i18n.command_texts import CommandTranslator
from bot.discord.i18n.languages import GuildFacts, ServerLanguages, speak_to_member, speaking_to
from bot.discord.i18n.texts import CATALOGUES, text
from bot.discord.interactions import send_ephemeral
from bot.discord.posting.notifier import DiscordNotifier
from bot.discord.posting.throttle import CARD_EDIT_INTERVAL
from bot.discord.services import Services
from bot.discord.telemetry import count_rate_limits
from bot.engine import Engine, video_fetcher, video_tools
from bot.kling.capabilities import load_capabilities
from bot.store import make_store

log = logging.getLogger(__name__)

# One cog per feature; each registers its own persistent buttons (`bot.discord.feature_cog`).
EXTENSIONS = ("cogs.video", "cogs.my_videos", "cogs.references", "cogs.quota", "cogs.settings",
              "cogs.filters", "cogs.rewards", "cogs.review", "cogs.reports", "cogs.status")
GLOBAL_SCOPE = 0  # guild_settings row that holds bot-wide state


# Server-only: installed to servers (not to users' accounts) and used in server channels, where
# the server's blocks, limits and moderators apply. A DM would bypass all of them.
SERVER_ONLY = app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
GUILD_INSTALL = app_commands.AppInstallationType(guild=True, user=False)


class KlingTree(app_commands.CommandTree["KlingBot"]):
    """One gate and one error handler for every slash command and context menu."""

    async def interaction_check(self, interaction: discord.Interaction[KlingBot], /) -> bool:
        """Speak the member's language from here on, then refuse commands outside a server.

        discord.py runs this first in the interaction's own task, then the command (or context
        menu) and `on_error` in that same task, so the language set here holds for every
        private reply of the command; public posts switch to the server's in the notifier.
        The synced commands are server-only, but a client with a stale command list (or an old
        user install) may still send one from a DM."""
        speak_to_member(interaction)
        if interaction.guild_id is not None:
            return True
        log.info("Refused a command from a DM (user %s)", interaction.user.id)
        try:
            await send_ephemeral(interaction, text("dm.refused"))
        except discord.HTTPException:
            log.warning("Could not answer a command sent from a DM")
        return False

    async def on_error(self, interaction: discord.Interaction[KlingBot],
                       error: app_commands.AppCommandError) -> None:
        """Every command's errors, answered privately (`bot.discord.errors` says in which
        order they are looked at)."""
        original: BaseException = error
        if isinstance(error, app_commands.CommandInvokeError):
            original = error.original
        with speaking_to(interaction):  # set already by interaction_check; said again here
            await reply_error(interaction, original)


class LoginRefused(Exception):
    """Discord refused the bot's token (`discord.LoginFailure`), said so the process entry
    point can word it without importing discord.py."""


async def run_until_stopped(settings: Settings, stop: asyncio.Event) -> None:
    """Run the bot until Discord or the engine fails, or `stop` is set (a signal); either way
    the bot is closed (engine, web server, Discord) before this returns."""
    bot = KlingBot(settings, freeze_heap=True)
    async with bot:
        running = asyncio.create_task(bot.start(settings.discord_token), name="bot")
        stopping = asyncio.create_task(stop.wait(), name="stop-signal")
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not running.done():
            log.info("Stop signal received: closing")
            # Python 3.11's asyncio.wait_for, which discord.py awaits while it connects, can
            # lose a cancellation that lands as its inner task finishes (CPython gh-86296,
            # fixed in 3.12): cancel again until it takes.
            while not running.done():
                running.cancel()
                await asyncio.wait({running}, timeout=1.0)
            with contextlib.suppress(asyncio.CancelledError):
                await running
            return
        try:
            running.result()  # a start-up or connection error, raised for the caller to word
        except discord.LoginFailure:
            raise LoginRefused() from None


class KlingBot(commands.AutoShardedBot):
    """The bot: the process's one Discord client, holding the core (`engine`) it serves."""

    engine: Engine
    notifier: DiscordNotifier
    languages: ServerLanguages
    # What the cogs and buttons use (`bot.discord.services`), built once in setup_hook.
    services: Services

    def __init__(self, settings: Settings, *, card_edit_interval: float = CARD_EDIT_INTERVAL,
                 confirm_timeout: float = CONFIRM_SECONDS, freeze_heap: bool = False,
                 **options: Any) -> None:
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
            if settings.shard_ids is not None:
                options.setdefault("shard_ids", list(settings.shard_ids))
        # The bot has no voice: discord.py's "voice will NOT be supported" warnings are noise.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default(),
                         tree_cls=KlingTree, help_command=None, allowed_contexts=SERVER_ONLY,
                         allowed_installs=GUILD_INSTALL, **options)
        self.settings = settings
        self.card_edit_interval = card_edit_interval
        # How long a member has to confirm a price above the server's threshold.
        self.confirm_timeout = confirm_timeout
        # Freeze the set-up heap out of the garbage collector's sight (see `setup_hook`).
        self.freeze_heap = freeze_heap
        self.http_session: aiohttp.ClientSession | None = None

    async def setup_hook(self) -> None:
        """Make the shared pieces, hand them to the notifier and the engine, start the engine,
        then load the cogs (their commands and buttons) and sync."""
        settings = self.settings
        count_rate_limits()  # Discord's 429s by route, into /metrics
        self.http_session = aiohttp.ClientSession()
        store = make_store(settings.database_url)
        videos = video_fetcher(settings)
        media = video_tools(settings, videos)
        capabilities = load_capabilities(settings.kling_models_file)
        self.languages = ServerLanguages(store, GuildFacts(self))
        self.notifier = DiscordNotifier(self, store, edit_interval=self.card_edit_interval,
                                        languages=self.languages,
                                        simulated=settings.kling_simulated)
        self.engine = Engine(settings, self.notifier, session=self.http_session, store=store,
                             videos=videos, media=media, capabilities=capabilities,
                             readiness=lambda: {"discord": self.is_ready()},
                             audit=self.notifier.audit)
        self.services = Services.of(self.engine, self.notifier, self.languages,
                                    confirm_timeout=self.confirm_timeout)
        await self.engine.start()
        # The commands' names and descriptions in every catalogue language, synced with them.
        await self.tree.set_translator(CommandTranslator(CATALOGUES))
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.sync_commands()
        if self.freeze_heap:
            # Everything made so far lives as long as the process (the engine, the command
            # tree, the catalogues): moved out of the collector's sight, so a full collection
            # during a burst of commands scans only what the burst made. Measured: the private
            # confirmation's p99 under a burst went from about 2.1x to 1.2-1.5x the minimal
            # bot's. Only for the process's one bot: bots made and dropped in one process (the
            # tests) would keep their frozen garbage.
            gc.collect()
            gc.freeze()

    async def sync_commands(self) -> None:
        """Instant sync to the dev guild; a global sync only when the commands changed."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            log.info("Commands synced to the development guild %s", guild.id)
            return
        digest = await self.command_digest()
        state = await self.engine.store.guild_settings(GLOBAL_SCOPE)
        if state.get("command_hash") == digest:
            log.info("Commands unchanged; no global sync")
            return
        await self.tree.sync()
        await self.engine.store.set_guild_setting(GLOBAL_SCOPE, "command_hash", digest)
        log.info("Commands synced globally")

    async def command_payload(self) -> list[dict[str, Any]]:
        """The global commands as `tree.sync()` sends them, translations included."""
        translator = self.tree.translator
        commands = self.tree.get_commands()
        if translator is None:
            return [command.to_dict(self.tree) for command in commands]
        return [await command.get_translated_payload(self.tree, translator)
                for command in commands]

    async def command_digest(self) -> str:
        """The hash kept in the store to skip an unneeded global sync: of the payload as
        sent, so a changed translation is a change of the commands too."""
        payload = await self.command_payload()
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def close(self) -> None:
        """Stop the card edits, the engine (web server, poller, store), then Discord."""
        engine = getattr(self, "engine", None)
        if engine is not None:
            await self.notifier.close()
            await engine.close()
        if self.http_session is not None:
            await self.http_session.close()
        await super().close()

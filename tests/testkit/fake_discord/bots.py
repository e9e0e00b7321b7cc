"""Running a real discord.py bot against the fake Discord, for the tests of the fake itself: a
plain ``commands.Bot`` started in the background until it is ready and closed afterwards, and
bots that skip discord.py's 5 s wait between IDENTIFYs (the fake needs none)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import discord
from discord.ext import commands

from testkit.fakes.discord import FakeDiscord

READY_TIMEOUT = 10.0


def make_bot() -> commands.Bot:
    return commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                        guild_ready_timeout=0.05)


@asynccontextmanager
async def running(bot: commands.Client, fake: FakeDiscord) -> AsyncIterator[commands.Client]:
    """Start the bot in the background, wait for READY (all guilds), close it afterwards."""
    task = asyncio.create_task(bot.start(fake.bot_token))
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # surface the login/connect error
        assert ready in done, "bot did not become ready"
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, READY_TIMEOUT)


class FastShardedBot(commands.AutoShardedBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between IDENTIFYs (max_concurrency 1); the fake needs none."""


class FastBot(commands.Bot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s wait before a second bot's IDENTIFY in the same process."""

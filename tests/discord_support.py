"""Running the real KlingBot in-process against the fake Discord and the fake Kling.

Imported by the Discord-level test modules for its fixtures. The bot is the production class
with its production set-up (engine, cogs, persistent buttons, dev-guild command sync); the only
difference is where discord.py's REST base and gateway point.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.discord.client import KlingBot
from bot.store import JobState
from testkit.fakes.discord import Channel, FakeDiscord, Member
from testkit.fakes.kling import FakeKling
from tests.support import make_settings

READY_TIMEOUT = 15.0
EPHEMERAL = 1 << 6


class FastKlingBot(KlingBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False
                                   ) -> None:
        """discord.py waits 5 s between shard IDENTIFYs; the fake needs no such wait."""


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def error_logs() -> Iterator[_Errors]:
    """Collects ERROR logs; `assert_no_errors` at the end of the test if none are expected.
    Exceptions in buttons and modals surface only as logs, so this is how tests see them."""
    handler = _Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture
def no_bot_errors(error_logs: _Errors) -> Iterator[None]:
    """Fail the test if the bot or discord.py logged an error (swallowed exceptions)."""
    yield
    ours = [r for r in error_logs.records if r.name.startswith(("bot", "cogs", "discord"))]
    assert not ours, [f"{r.name}: {r.getMessage()}" for r in ours]


@pytest.fixture
async def fake_discord(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    server.patch_discord(monkeypatch)
    try:
        yield server
    finally:
        await server.close()


@dataclass
class World:
    """The fakes, the members, and the bots started in this test."""

    discord: FakeDiscord
    kling: FakeKling
    tmp_path: Path
    alice: Member
    bob: Member
    moderator: Member
    running: list[tuple[KlingBot, asyncio.Task[None]]] = field(default_factory=list)

    async def start_bot(self, *, card_edit_interval: float = 0.05,
                        confirm_timeout: float = 60.0, **overrides: Any) -> KlingBot:
        overrides = {"dev_guild_id": self.discord.guild_id, **overrides}
        settings = make_settings(self.tmp_path, self.kling.base_url,
                                 discord_token=self.discord.bot_token, **overrides)
        bot = FastKlingBot(settings, card_edit_interval=card_edit_interval,
                           confirm_timeout=confirm_timeout, guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(settings.discord_token))
        self.running.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
        assert ready in done, "the bot did not become ready"
        return bot

    async def stop_bot(self, bot: KlingBot) -> None:
        await commands_done()  # a job's start goes on after its private confirmation
        for entry in list(self.running):
            if entry[0] is bot:
                self.running.remove(entry)
                await bot.close()
                await asyncio.wait_for(entry[1], READY_TIMEOUT)

    async def video(self, member: Member, subcommand: str = "text",
                    options: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return await self.discord.slash(self.discord.guild_id, self.discord.channel_id,
                                        member.user.id, "video", [subcommand],
                                        options or {"prompt": "a fox in the snow"}, **kwargs)

    def private_replies(self, interaction: Any) -> list[str]:
        """What the member was told privately (ephemeral answers and follow-ups)."""
        texts = [r.data.get("content", "") for r in self.discord.interaction_responses(
            interaction) if r.type == 4 and r.ephemeral]
        texts += [m["content"] for m in self.discord.interaction_messages(interaction)
                  if m["flags"] & EPHEMERAL]
        return [t for t in texts if t]  # a deferred "thinking" message has no text yet

    async def wait_private_reply(self, interaction: Any, timeout: float = 10) -> str:
        return str(await self.discord.wait_until(
            lambda: next(iter(self.private_replies(interaction)), None), timeout,
            "a private reply"))

    async def kling_task(self, count: int = 1, timeout: float = 10) -> Any:
        """The newest task at Kling once it holds `count` tasks: the private confirmation comes
        before the job's create, so a test waits for the create."""
        return await self.kling.wait_for(
            lambda: self.kling.create_count >= count and self.kling.last_task, timeout)

    def card_posts(self) -> list[Any]:
        """The requests that first showed a status card (an embed with a title): a follow-up of
        the member's command, or a channel message where no follow-up could be made."""
        return [r for r in self.discord.requests if r.method == "POST" and 0 < r.status < 300
                and isinstance(r.json, dict) and (r.json.get("embeds") or [{}])[0].get("title")
                and (r.path.startswith("/webhooks/") or r.path.endswith("/messages"))]

    async def wait_card(self, shown: str, timeout: float = 10) -> dict[str, Any]:
        """The newest status card once it shows `shown` (the card follows the private
        confirmation)."""
        def card() -> dict[str, Any] | None:
            cards = [m for m in self.discord.messages_in(self.discord.channel_id)
                     if m["embeds"] and m["embeds"][0].get("title")]
            return cards[-1] if cards and shown in str(cards[-1]["embeds"]) else None
        return dict(await self.discord.wait_until(card, timeout, f"a card showing {shown!r}"))

    async def first_card(self) -> dict[str, Any]:
        """The first message with an embed in the main channel: the job's status card, which
        starts the thread its results go to."""
        return dict(await self.discord.wait_for_message(self.discord.channel_id,
                                                        lambda m: bool(m["embeds"])))

    def card(self) -> dict[str, Any]:
        """The newest status card (an embed with a title) in the main channel."""
        cards = [m for m in self.discord.messages_in(self.discord.channel_id)
                 if m["embeds"] and m["embeds"][0].get("title")]
        return cards[-1]

    async def wait_delivered(self, bot: KlingBot, count: int = 1, timeout: float = 10
                             ) -> list[Any]:
        """Jobs marked DELIVERED (a moment after their message is posted)."""
        from tests.support import eventually

        async def delivered() -> list[Any] | None:
            jobs = await bot.engine.store.jobs_in_state((JobState.DELIVERED,))
            return jobs if len(jobs) >= count else None

        return list(await eventually(delivered, timeout))

    async def wait_result(self, channel_id: int, count: int = 1, timeout: float = 15
                          ) -> list[dict[str, Any]]:
        def results() -> list[dict[str, Any]] | None:
            found = [m for m in self.discord.messages_in(channel_id)
                     if "your video is ready" in m["content"]]
            return found if len(found) >= count else None
        return list(await self.discord.wait_until(results, timeout, f"{count} result(s)"))


@pytest.fixture
async def world(fake_discord: FakeDiscord, fake_kling: FakeKling, tmp_path: Path
                ) -> AsyncIterator[World]:
    from testkit.fakes.discord import Permission

    guild = fake_discord.guild_id
    state = World(
        discord=fake_discord, kling=fake_kling, tmp_path=tmp_path,
        alice=await fake_discord.add_member(guild, name="alice"),
        bob=await fake_discord.add_member(guild, name="bob"),
        moderator=await fake_discord.add_member(guild, name="mod",
                                                permissions=Permission.MANAGE_GUILD),
    )
    try:
        yield state
    finally:
        await commands_done()
        for bot, task in list(state.running):
            await bot.close()
            await asyncio.wait_for(task, READY_TIMEOUT)


async def commands_done(limit: float = 10.0) -> None:
    """Wait for the commands, buttons and modals still running in the bot (a job's start goes
    on after its private confirmation), so a test does not close the bot under them."""
    running = [t for t in asyncio.all_tasks() if t.get_name().startswith(
        ("CommandTree-invoker", "discord-ui-view-dispatch", "discord-ui-modal-dispatch"))
        and not t.done()]
    if running:
        await asyncio.wait(running, timeout=limit)


def components_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components", []) for c in row.get("components", [])]


def custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for c in components_of(message) if "custom_id" in c]


Predicate = Callable[[dict[str, Any]], bool]


async def command(world: World, member: Member, name: str, path: list[str],
                  options: dict[str, Any] | None = None) -> str:
    """`member` runs `/name path...` with `options` in the main channel; their private reply."""
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, name, path, options or {})
    return await world.wait_private_reply(inter)


async def log_channel(world: World) -> Channel:
    """A `mod-log` channel, set by the moderator as the server's log channel."""
    channel = await world.discord.add_channel(world.discord.guild_id, "mod-log")
    await command(world, world.moderator, "klingbot", ["settings", "channels"],
                  {"log_channel": channel.id})
    return channel

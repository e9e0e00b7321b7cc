"""The fake Discord's interactions, under the real discord.py client: a slash subcommand with
an attachment (deferred, then followed up), a persistent button opening a modal (routed again
after a restart), an expired token refusing a follow-up, the members' and the server's
languages, and autocomplete with its checked choices."""

from __future__ import annotations

import asyncio
import re
from typing import Any, ClassVar

import discord
import pytest
from discord import app_commands

from testkit.fakes.discord import (
    AttachmentSpec,
    DiscordError,
    FakeDiscord,
)
from testkit.fakes.discord.limits import validate_options
from tests.support import eventually
from tests.testkit.fake_discord.bots import make_bot, running

pytestmark = pytest.mark.timeout(30)


class Extend(discord.ui.DynamicItem[discord.ui.Button], template=r"extend:(?P<job>\d+)"):
    """A persistent button: survives restarts because only the template is registered."""

    submitted: ClassVar[list[tuple[int, str]]] = []

    def __init__(self, job: int) -> None:
        super().__init__(discord.ui.Button(label="Extend", custom_id=f"extend:{job}"))
        self.job = job

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> Extend:
        return cls(int(match["job"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ExtendModal(self.job))


class ExtendModal(discord.ui.Modal, title="Extend the video"):
    prompt: discord.ui.TextInput[ExtendModal] = discord.ui.TextInput(
        label="What happens next?", custom_id="prompt", max_length=500)

    def __init__(self, job: int) -> None:
        super().__init__(custom_id=f"extend-modal:{job}")
        self.job = job

    async def on_submit(self, interaction: discord.Interaction) -> None:
        Extend.submitted.append((self.job, self.prompt.value))
        await interaction.response.send_message("Extending!", ephemeral=True)


async def test_slash_subcommand_with_attachment_defers_then_follows_up(fake: FakeDiscord) -> None:
    bot = make_bot()
    seen: dict[str, Any] = {}
    video = app_commands.Group(name="video", description="Make videos")

    @video.command(name="text", description="Video from text")
    async def text(interaction: discord.Interaction, prompt: str, seconds: int,
                   image: discord.Attachment) -> None:
        await interaction.response.defer(thinking=True)
        seen.update(prompt=prompt, seconds=seconds, size=image.size, bytes=await image.read())
        await interaction.followup.send(f"Queued: {prompt}")

    bot.tree.add_command(video, guild=discord.Object(fake.guild_id))
    user = await fake.add_member(fake.guild_id, name="alice")
    async with running(bot, fake):
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        spec = AttachmentSpec("cat.png", data=b"\x89PNG" + bytes(96), width=64, height=64)
        inter = await fake.slash(fake.guild_id, fake.channel_id, user.user.id, "video", ["text"],
                                 {"prompt": "a cat", "seconds": 5}, attachments={"image": spec})
        await fake.wait_for_request(
            lambda r: r.method == "POST" and r.path.startswith("/webhooks/"))

    assert [r.type for r in fake.interaction_responses(inter)] == [5]
    assert seen == {"prompt": "a cat", "seconds": 5, "size": 100, "bytes": spec.data}
    (reply,) = fake.interaction_messages(inter)
    assert reply["content"] == "Queued: a cat"
    assert reply["interaction_metadata"]["user"]["id"] == str(user.user.id)
    assert not reply["flags"] & (1 << 7)  # no longer "thinking"


async def test_dynamic_button_opens_modal_and_submit_reaches_on_submit(fake: FakeDiscord) -> None:
    Extend.submitted.clear()
    bot = make_bot()
    bot.add_dynamic_items(Extend)
    user = await fake.add_member(fake.guild_id, name="bob")
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None)
        view.add_item(Extend(42))
        sent = await channel.send("Job 42 done", view=view)

        click = await fake.click(user.user.id, sent.id, "extend:42")
        assert (await fake.wait_for_response(click)).type == 9
        submit = await fake.submit_modal(user.user.id, click, "extend-modal:42",
                                         {"prompt": "the cat jumps"})
        answer = await fake.wait_for_response(submit)

    assert Extend.submitted == [(42, "the cat jumps")]
    assert answer.type == 4 and answer.ephemeral


async def test_expired_interaction_token_rejects_followup(fake: FakeDiscord) -> None:
    bot = make_bot()
    proceed = asyncio.Event()
    errors: list[discord.HTTPException] = []

    @bot.tree.command(name="slow", description="Takes longer than the token lives")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await proceed.wait()
        try:
            await interaction.followup.send("too late")
        except discord.HTTPException as exc:
            errors.append(exc)

    user = await fake.add_member(fake.guild_id, name="dave")
    async with running(bot, fake):
        await bot.tree.sync()
        inter = await fake.slash(fake.guild_id, fake.channel_id, user.user.id, "slow")
        await fake.wait_for_response(inter)
        fake.token_lifetime = 0.0  # the 15 minutes are over
        proceed.set()
        await fake.wait_for_request(lambda r: r.path.startswith("/webhooks/"))
        await asyncio.wait_for(_until(lambda: bool(errors)), 5)

    assert (errors[0].status, errors[0].code) == (401, 50027)


async def _until(check: Any) -> None:
    while not check():
        await asyncio.sleep(0.01)


async def test_dynamic_item_still_routed_after_restart(fake: FakeDiscord) -> None:
    Extend.submitted.clear()
    user = await fake.add_member(fake.guild_id, name="erin")
    first = make_bot()
    first.add_dynamic_items(Extend)
    async with running(first, fake):
        channel = first.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        view = discord.ui.View(timeout=None).add_item(Extend(7))
        sent = await channel.send("Job 7 done", view=view)

    second = make_bot()  # a fresh process would know only the registered template
    second.add_dynamic_items(Extend)
    async with running(second, fake):
        click = await fake.click(user.user.id, sent.id, "extend:7")
        assert (await fake.wait_for_response(click)).type == 9
        submit = await fake.submit_modal(user.user.id, click, "extend-modal:7", {"prompt": "go"})
        await fake.wait_for_response(submit)
    assert Extend.submitted == [(7, "go")]


async def test_interactions_carry_the_members_and_the_servers_languages(fake: FakeDiscord
                                                                         ) -> None:
    """As Discord does: `locale` is the member's client language, `guild_locale` and the
    guild's `preferred_locale` the server's, changed by GUILD_UPDATE."""
    bot = make_bot()
    seen: list[tuple[str, str | None, str | None]] = []

    @bot.tree.command(name="where", description="Which languages")
    async def where(interaction: discord.Interaction) -> None:
        guild = interaction.guild
        seen.append((str(interaction.locale), str(interaction.guild_locale),
                     str(guild.preferred_locale) if guild is not None else None))
        await interaction.response.send_message("ok", ephemeral=True)

    korean = await fake.add_member(fake.guild_id, name="minji", locale="ko")
    english = await fake.add_member(fake.guild_id, name="sam")
    assert english.locale == "en-US"
    async with running(bot, fake):
        bot.tree.copy_global_to(guild=discord.Object(fake.guild_id))
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        for member in (korean, english):
            inter = await fake.slash(fake.guild_id, fake.channel_id, member.user.id, "where")
            await fake.wait_for_response(inter)
        await fake.set_guild_locale(fake.guild_id, "ko")
        english.locale = "en-GB"
        guild = bot.get_guild(fake.guild_id)
        assert guild is not None
        # The client's cache changes when it reads GUILD_UPDATE (no fake state to wait on).
        await eventually(lambda: str(guild.preferred_locale) == "ko", 5)
        inter = await fake.slash(fake.guild_id, fake.channel_id, english.user.id, "where")
        await fake.wait_for_response(inter)
        assert inter.payload["guild"]["locale"] == "ko"

    assert seen == [("ko", "en-US", "en-US"), ("en-US", "en-US", "en-US"),
                    ("en-GB", "ko", "ko")]


async def test_autocomplete_reaches_the_callback_and_its_choices_are_checked(
        fake: FakeDiscord, error_logs: Any) -> None:
    """Type 4 interactions with the filled options and the focused one as typed (a string,
    no `resolved`); the answer is type 8 with at most 25 choices of the option's type, and
    nothing else may answer it."""
    bot = make_bot()
    seen: list[tuple[Any, Any, str]] = []
    many = app_commands.Group(name="clip", description="Clips")

    @many.command(name="make", description="Make a clip")
    async def make(interaction: discord.Interaction, image: discord.Attachment, model: str,
                   seconds: int) -> None:
        await interaction.response.send_message("ok")

    @make.autocomplete("seconds")
    async def offer(interaction: discord.Interaction, current: str
                    ) -> list[app_commands.Choice[int]]:
        seen.append((interaction.namespace.model, interaction.namespace.image, current))
        count = 30 if interaction.namespace.model == "too-many" else 2
        return [app_commands.Choice(name=f"{n} s", value=n) for n in range(1, count + 1)]

    bot.tree.add_command(many, guild=discord.Object(fake.guild_id))
    user = await fake.add_member(fake.guild_id, name="alice")
    async with running(bot, fake):
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        inter = await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "clip",
                                        ["make"], {"model": "v3", "image": "1"},
                                        focused="seconds", typed="1")
        answer = await fake.wait_for_response(inter)
        assert inter.type == 4 and answer.type == 8
        assert answer.data["choices"] == [{"name": "1 s", "value": 1},
                                          {"name": "2 s", "value": 2}]
        model, image, typed = seen[0]
        assert model == "v3" and isinstance(image, discord.Object) and typed == "1"
        focused = inter.payload["data"]["options"][0]["options"][-1]
        assert focused == {"name": "seconds", "type": 4, "value": "1", "focused": True}
        assert "resolved" not in inter.payload["data"]

        with pytest.raises(LookupError):  # only an autocomplete option can be focused
            await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "clip",
                                    ["make"], {}, focused="model")
        refused = await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "clip",
                                          ["make"], {"model": "too-many"}, focused="seconds")
        await fake.wait_for_request(lambda r: r.path.endswith("/callback") and r.status == 400
                                    and r.path.startswith(f"/interactions/{refused.id}/"))
        assert fake.interaction_responses(refused) == []
    # Discord refuses a definition with both autocomplete and choices.
    option = {"type": 4, "name": "seconds", "description": "s", "autocomplete": True,
              "choices": [{"name": "5", "value": 5}]}
    with pytest.raises(DiscordError):
        validate_options([option], "options")
    # discord.py logs the refused answer (a 400, as Discord gives): expected here.
    assert [r.getMessage() for r in error_logs.records] == [
        f"Ignoring exception in autocomplete for 'clip make' (Guild: {fake.guild_id}, "
        f"User: {user.user.id})"]
    error_logs.records.clear()


async def test_a_response_type_the_interaction_cannot_take_is_an_invalid_form(
        fake: FakeDiscord) -> None:
    """A message answering an autocomplete is refused as Discord refuses it (400 50035, "In
    type: Value must be one of {8}."), not with 40004, which is Discord's "Send messages has
    been temporarily disabled"; the choices can still answer it."""
    bot = make_bot()
    refusals: list[discord.HTTPException] = []

    @bot.tree.command(name="pick", description="Pick a model")
    async def pick(interaction: discord.Interaction, model: str) -> None:
        await interaction.response.send_message(model)

    @pick.autocomplete("model")
    async def offer(interaction: discord.Interaction, current: str
                    ) -> list[app_commands.Choice[str]]:
        try:
            await interaction.response.send_message("not here")
        except discord.HTTPException as exc:
            refusals.append(exc)
        return [app_commands.Choice(name="v3", value="v3")]

    bot.tree.copy_global_to(guild=discord.Object(fake.guild_id))
    user = await fake.add_member(fake.guild_id, name="alice")
    async with running(bot, fake):
        await bot.tree.sync(guild=discord.Object(fake.guild_id))
        inter = await fake.autocomplete(fake.guild_id, fake.channel_id, user.user.id, "pick",
                                        [], {}, focused="model", typed="v")
        answer = await fake.wait_for_response(inter)
    assert answer.type == 8
    (refused,) = refusals
    assert (refused.status, refused.code) == (400, 50035)
    assert "Value must be one of {8}." in refused.text

"""What keeps members inside the server's rules and what they are told, through Discord
(server-only commands, server defaults, long free text, discord.py's own errors, an unexpected
error's apology with an id, Extend buttons, thread names)."""

from __future__ import annotations

import json
import logging
import re
from importlib import resources
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.moderation import REASON_LIMIT
from testkit.fakes.discord import Member
from tests.discord_support import World, custom_ids
from tests.settings_commands import settings_calls

pytestmark = pytest.mark.timeout(60)


@pytest.mark.usefixtures("no_bot_errors")
async def test_commands_are_server_only_and_a_dm_is_refused(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = await world.start_bot(dev_guild_id=None)  # global commands: the ones DMs could see
    synced = world.discord.commands[None]
    assert {c["name"] for c in synced} >= {"video", "quota", "klingbot", "Animate with Kling"}
    for command in synced:
        assert (command["contexts"], command["integration_types"]) == ([0], [0]), command
    alice = world.alice.user.id
    dm = await world.discord.open_dm(alice)
    with pytest.raises(PermissionError):  # Discord's client offers no /video in a DM...
        await world.discord.slash(None, dm.id, alice, "video", ["text"], {"prompt": "a fox"})
    # ...but a client with a stale command list may still send one.
    monkeypatch.setattr(world.discord, "command_allowed_in", lambda *args: True)
    inter = await world.discord.slash(None, dm.id, alice, "video", ["text"], {"prompt": "a fox"})
    assert "servers only" in await world.wait_private_reply(inter)
    posted = await world.discord.post_user_message(dm.id, alice, "look")
    menu = await world.discord.context_menu(None, dm.id, alice, "Animate with Kling",
                                            int(posted["id"]))
    assert "servers only" in await world.wait_private_reply(menu)
    assert await bot.engine.store.count_by_state() == {}
    assert world.kling.create_count == 0
    assert [m for m in world.discord.messages_in(dm.id) if m["embeds"]] == []


async def settings_by(world: World, options: dict[str, Any]) -> str:
    """A moderator sets `options` with the `/klingbot settings` subcommands that take them;
    the last one's answer."""
    reply = ""
    for path, given in settings_calls(options):
        inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                          world.moderator.user.id, "klingbot", path, given)
        reply = await world.wait_private_reply(inter)
    return reply


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_server_default_the_model_cannot_do_falls_back_quietly(world: World) -> None:
    await world.start_bot()
    await settings_by(world, {"default_duration": 10, "default_mode": "pro"})
    inter = await world.video(world.alice, options={"prompt": "a fox", "model": "kling-o1"})
    assert "on its way" in await world.wait_private_reply(inter)
    body = (await world.kling.wait_for(lambda: world.kling.last_task)).request
    assert (body["model"], body["mode"], body["duration"]) == ("kling-o1", "pro", 5)
    # The member's own choice is still checked.
    inter = await world.video(world.alice, options={"prompt": "a fox", "model": "kling-o1",
                                                    "duration": 10})
    assert "makes videos of 5 seconds, not 10" in await world.wait_private_reply(inter)


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_removed_default_model_runs_on_the_bot_default_with_one_note(
        world: World) -> None:
    bot = await world.start_bot()
    log_channel = await world.discord.add_channel(world.discord.guild_id, "mod-log")
    await settings_by(world, {"log_channel": log_channel.id,
                              "default_model": "kling-v2-5-turbo"})
    await world.discord.wait_until(lambda: len(world.discord.messages_in(log_channel.id)) == 2,
                                   5, "both settings in the log channel")
    await world.stop_bot(bot)
    # The operator drops the model from the table and restarts the bot.
    table = json.loads(resources.files("bot.kling").joinpath("models.json").read_text())
    del table["models"]["kling-v2-5-turbo"]
    models_file = world.tmp_path / "models.json"
    models_file.write_text(json.dumps(table))
    await world.start_bot(kling_models_file=models_file)
    for count, prompt in enumerate(("a fox", "a boat"), 1):
        inter = await world.video(world.alice, options={"prompt": prompt})
        assert "on its way" in await world.wait_private_reply(inter)
        await world.kling.wait_for(lambda n=count: world.kling.create_count >= n)
        assert world.kling.last_task.request["model"] == table["default_model"]
    notes = [m["content"] for m in world.discord.messages_in(log_channel.id)
             if "no longer offered" in m["content"]]
    assert len(notes) == 1 and "`kling-v2-5-turbo`" in notes[0], notes


async def quota(world: World, member: Member, sub: str, options: dict[str, Any]) -> str:
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, "quota", [sub], options)
    return await world.wait_private_reply(inter)


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_reason_at_the_limit_reaches_everyone_and_a_longer_one_is_refused(
        world: World) -> None:
    await world.start_bot()
    log_channel = await world.discord.add_channel(world.discord.guild_id, "mod-log")
    await settings_by(world, {"log_channel": log_channel.id})
    mod, alice = world.moderator, world.alice
    reason = ("posting spoilers again and again, " * 20)[:REASON_LIMIT - 1] + "!"
    block = next(o for o in next(c for c in world.discord.commands[world.discord.guild_id]
                                 if c["name"] == "quota")["options"] if o["name"] == "block")
    assert next(o for o in block["options"] if o["name"] == "reason")["max_length"] == 500
    with pytest.raises(ValueError, match="length"):  # Discord's client refuses a longer one
        await quota(world, mod, "block", {"member": alice.user.id, "reason": reason + "x"})
    assert reason in await quota(world, mod, "block", {"member": alice.user.id,
                                                       "reason": reason})
    refused = await world.wait_private_reply(await world.video(alice))
    assert reason in refused and world.kling.create_count == 0
    assert reason in await quota(world, mod, "show", {"member": alice.user.id})
    audit = await world.discord.wait_for_message(log_channel.id,
                                                 lambda m: "block" in m["content"])
    assert reason in audit["content"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_reason_kept_from_before_the_limit_still_gets_every_answer(
        world: World) -> None:
    bot = await world.start_bot()
    guild, alice = world.discord.guild_id, world.alice
    # A block given before reasons were bounded (straight through the core, as then).
    await bot.engine.moderation.block(guild, world.moderator.user.id, alice.user.id,
                                      "spoilers! " * 250)
    for reply in (await world.wait_private_reply(await world.video(alice)),
                  await quota(world, alice, "me", {}),
                  await quota(world, world.moderator, "show", {"member": alice.user.id})):
        assert "spoilers! spoilers!" in reply and len(reply) <= 2000
    assert world.kling.create_count == 0


def probes() -> app_commands.Group:
    """Commands with discord.py's own checks, added to the real bot's tree for the test: each
    fails the way a check, a cooldown or a missing permission does in production."""
    group = app_commands.Group(name="probe", description="Checks that fail")

    def no_dms(interaction: discord.Interaction) -> bool:
        raise app_commands.NoPrivateMessage()

    @group.command(name="check", description="A check that says no")
    @app_commands.check(lambda interaction: False)
    async def check(interaction: discord.Interaction) -> None: ...

    @group.command(name="admin", description="Needs Administrator")
    @app_commands.checks.has_permissions(administrator=True)
    async def admin(interaction: discord.Interaction) -> None: ...

    @group.command(name="bot", description="The bot needs Manage Roles")
    @app_commands.checks.bot_has_permissions(manage_roles=True, manage_guild=True)
    async def bot(interaction: discord.Interaction) -> None: ...

    @group.command(name="private", description="No DMs")
    @app_commands.check(no_dms)
    async def private(interaction: discord.Interaction) -> None: ...

    @group.command(name="cooldown", description="Once a minute")
    @app_commands.checks.cooldown(1, 60.0)
    async def cooldown(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    return group


@pytest.mark.usefixtures("no_bot_errors")
async def test_discord_py_refusals_get_plain_answers_without_an_error_id(world: World) -> None:
    bot = await world.start_bot()
    guild = discord.Object(world.discord.guild_id)
    bot.tree.add_command(probes(), guild=guild)
    await bot.tree.sync(guild=guild)

    async def probe(name: str) -> str:
        inter = await world.discord.slash(guild.id, world.discord.channel_id,
                                          world.alice.user.id, "probe", [name], {})
        return await world.wait_private_reply(inter)

    replies = {name: await probe(name) for name in ("check", "admin", "bot", "private")}
    assert "cannot use this command here" in replies["check"]
    assert "**Administrator**" in replies["admin"]
    assert "**Manage Roles**, **Manage Server**" in replies["bot"]
    assert "servers only" in replies["private"]
    assert await probe("cooldown") == "ok"
    replies["cooldown"] = await probe("cooldown")
    assert re.search(r"Try again <t:\d+:R>", replies["cooldown"]), replies["cooldown"]
    # A user who left the server, picked in /quota show (discord.py cannot make a Member).
    ghost = await world.discord.add_user("ghost")
    inter = await world.discord.slash(guild.id, world.discord.channel_id,
                                      world.moderator.user.id, "quota", ["show"],
                                      {"member": ghost.id})
    replies["member"] = await world.wait_private_reply(inter)
    assert "not a member of this server" in replies["member"]
    # /klingbot settings names a model the bot does not have.
    replies["model"] = await settings_by(world, {"default_model": "kling-v9"})
    assert "Unknown model `kling-v9`" in replies["model"]
    for name, reply in replies.items():
        assert "went wrong" not in reply and "error `" not in reply, (name, reply)


@pytest.mark.usefixtures("no_bot_errors")
async def test_extend_buttons_only_under_results_that_can_be_extended(world: World) -> None:
    await world.start_bot()
    buttons: dict[str, list[str]] = {}
    for model in ("kling-v2-master", "kling-v1"):
        await world.video(world.alice, options={"prompt": f"a {model} fox", "model": model})
        card = await world.discord.wait_for_message(
            world.discord.channel_id,
            lambda m, model=model: bool(m["embeds"]) and f"a {model} fox" in str(m["embeds"]))
        [result] = await world.wait_result(int(card["id"]))  # in the card's thread
        buttons[model] = custom_ids(result)
    assert not [b for b in buttons["kling-v2-master"] if b.startswith("kling:extend")]
    assert [b.split(":")[1] for b in buttons["kling-v1"]] == ["extend", "extend-prompt",
                                                              "report"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_thread_names_show_mentions_as_names(world: World) -> None:
    vip = await world.discord.add_role(world.discord.guild_id, "vip")
    await world.start_bot()
    deleted_role = 123456789
    prompt = (f"<@&{vip.id}> and <@{world.bob.user.id}> dance for @everyone in "
              f"<#{world.discord.channel_id}>, <@&{deleted_role}> watches\n" + "slowly " * 20)
    inter = await world.video(world.alice, options={"prompt": prompt})
    assert "on its way" in await world.wait_private_reply(inter)
    [thread] = await world.discord.wait_until(
        lambda: [c for c in world.discord.channels.values() if c.is_thread] or None, 5,
        "the thread")
    general = world.discord.channels[world.discord.channel_id].name
    assert thread.name.startswith(f"@vip and @bob dance for @everyone in #{general}, "
                                  f"@unknown-role watches slowly"), thread.name
    assert len(thread.name) == 100 and "<" not in thread.name
    # Without the members intent bob was not cached: his name came from Discord.
    assert world.discord.requests_to("GET", rf"/members/{world.bob.user.id}$")


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_long_failure_message_from_kling_still_reaches_the_member(world: World) -> None:
    await world.start_bot()
    world.kling.queue_outcome(False, "the prompt was refused because " + "reasons " * 400)
    await world.video(world.alice)
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    notice = await world.discord.wait_for_message(
        int(card["id"]), lambda m: "could not be made" in m["content"])
    assert "the prompt was refused because reasons" in notice["content"]
    assert "refunded" in notice["content"]
    await world.discord.wait_until(
        lambda: "the prompt was refused" in str(world.discord.messages[int(card["id"])]
                                                ["embeds"]), 5, "the card says why")


@pytest.mark.usefixtures("no_bot_errors")
async def test_kling_refusing_the_content_is_said_plainly_and_does_not_pause(
        world: World) -> None:
    from testkit.fakes.kling import RISK_CONTROL_MESSAGE

    bot = await world.start_bot()
    world.kling.refuse_next()
    inter = await world.video(world.alice)
    await world.discord.wait_until(
        lambda: any("Kling refused this content" in m["content"]
                    and RISK_CONTROL_MESSAGE in m["content"]
                    for ch in list(world.discord.channels)
                    for m in world.discord.messages_in(ch))
        or any("Kling refused this content" in r for r in world.private_replies(inter)),
        10, "the member is told Kling refused the content")
    from bot.store import JobState
    [job] = await bot.engine.store.jobs_in_state([JobState.FAILED])
    assert job.error_key == "failed.content_refused"
    # Nothing was paused: bob's video goes through.
    await world.video(world.bob)
    await world.wait_delivered(bot)


async def test_an_unexpected_error_gets_an_apology_with_an_id(
        world: World, error_logs: Any) -> None:
    await world.start_bot()
    # Discord refuses the deferral itself: the bot cannot go on, and says so privately.
    world.discord.fail_next("POST", r"^/interactions/\d+/[^/]+/callback$", 400,
                            body={"message": "Invalid Form Body", "code": 50035})
    inter = await world.video(world.alice)
    reply = await world.wait_private_reply(inter)
    match = re.search(r"error `([0-9a-f]{8})`", reply)
    assert match, reply
    logged = [r for r in error_logs.records if r.name == "bot.discord.errors"]
    assert logged and match.group(1) in logged[0].getMessage()
    assert logged[0].levelno == logging.ERROR
    assert world.kling.create_count == 0

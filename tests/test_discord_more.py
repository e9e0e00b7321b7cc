"""More of issue 3 and 4 through Discord: the context menu, places without threads, server
defaults and allowed channels, role limits, card edit pacing, and errors with an id."""

from __future__ import annotations

import itertools
import logging
import re
from typing import Any

import pytest

from testkit.fakes.discord import (
    DEFAULT_BOT_PERMISSIONS,
    AttachmentSpec,
    Permission,
    image_link_embed,
)
from tests.discord_support import World

pytestmark = pytest.mark.timeout(60)

PNG = AttachmentSpec("dog.png", data=b"\x89PNG" + bytes(5000), content_type="image/png",
                     width=800, height=600)


def modal_inputs(world: World, opened: Any) -> tuple[str, list[str]]:
    modal = world.discord.interaction_responses(opened)[0].data
    inputs = [c["custom_id"] for row in modal["components"]
              for c in (row.get("components") or [row.get("component")])]
    return modal["custom_id"], inputs


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_with_kling_from_a_message(world: World) -> None:
    await world.start_bot()
    posted = await world.discord.post_user_message(world.discord.channel_id,
                                                   world.alice.user.id, "my dog", [PNG])
    task = await animate_through_menu(world, posted, "the dog wags its tail")
    assert task.request["action"] == "image2video"
    assert task.request["start_image_url"] == posted["attachments"][0]["url"]
    assert task.request["prompt"] == "the dog wags its tail"


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_refuses_a_message_without_an_image(world: World) -> None:
    await world.start_bot()
    posted = await world.discord.post_user_message(world.discord.channel_id,
                                                   world.alice.user.id, "just text")
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Animate with Kling",
                                             int(posted["id"]))
    assert "no PNG or JPEG image" in await world.wait_private_reply(inter)


async def animate_through_menu(world: World, message: dict[str, Any],
                               prompt: str = "it moves") -> Any:
    """Open the menu on `message`, fill the modal, and answer the task Kling received."""
    opened = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                              world.alice.user.id, "Animate with Kling",
                                              int(message["id"]))
    assert (await world.discord.wait_for_response(opened)).type == 9
    modal_id, inputs = modal_inputs(world, opened)
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                              {inputs[0]: prompt})
    assert "on its way" in await world.wait_private_reply(submit)
    return await world.kling.wait_for(lambda: world.kling.last_task)


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_a_forwarded_message_uses_its_image(world: World) -> None:
    await world.start_bot()
    original = await world.discord.post_user_message(world.discord.channel_id,
                                                     world.bob.user.id, "my dog", [PNG])
    forwarded = await world.discord.forward_message(world.discord.channel_id,
                                                    world.alice.user.id, int(original["id"]))
    assert forwarded["attachments"] == []
    assert forwarded["message_reference"]["type"] == 1
    task = await animate_through_menu(world, forwarded)
    assert task.request["action"] == "image2video"
    assert task.request["start_image_url"] == original["attachments"][0]["url"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_a_message_whose_image_is_a_link_embed(world: World) -> None:
    await world.start_bot()
    link = "https://example.org/pictures/dog.jpg"
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.alice.user.id, link,
        embeds=[image_link_embed(link, 1024, 768)])
    task = await animate_through_menu(world, posted)
    assert task.request["start_image_url"] == link


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_prefers_own_attachment_to_an_embed(world: World) -> None:
    await world.start_bot()
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.alice.user.id, "see", [PNG],
        embeds=[image_link_embed("https://example.org/other.png", 1024, 768)])
    task = await animate_through_menu(world, posted)
    assert task.request["start_image_url"] == posted["attachments"][0]["url"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_refuses_a_forwarded_message_without_an_image(world: World) -> None:
    await world.start_bot()
    original = await world.discord.post_user_message(world.discord.channel_id,
                                                     world.bob.user.id, "just text")
    forwarded = await world.discord.forward_message(world.discord.channel_id,
                                                    world.alice.user.id, int(original["id"]))
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Animate with Kling",
                                             int(forwarded["id"]))
    assert "no PNG or JPEG image" in await world.wait_private_reply(inter)


@pytest.mark.usefixtures("no_bot_errors")
async def test_animate_refuses_an_embed_link_to_a_gif(world: World) -> None:
    await world.start_bot()
    link = "https://example.org/dance.gif"
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.alice.user.id, link,
        embeds=[image_link_embed(link, 500, 500)])
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Animate with Kling",
                                             int(posted["id"]))
    assert "no PNG or JPEG image" in await world.wait_private_reply(inter)
    assert world.kling.last_task is None


@pytest.mark.usefixtures("no_bot_errors")
async def test_without_thread_permission_results_go_to_the_channel(world: World) -> None:
    await world.discord.set_bot_permissions(
        world.discord.guild_id, DEFAULT_BOT_PERMISSIONS & ~Permission.CREATE_PUBLIC_THREADS)
    await world.start_bot()
    await world.video(world.alice)
    [result] = await world.wait_result(world.discord.channel_id)
    card = world.card()
    assert "Threads are not possible here" in str(card["embeds"])
    assert world.discord.requests_to("POST", r"/threads$") == []
    assert result["attachments"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_command_inside_a_thread_stays_in_that_thread(world: World) -> None:
    await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"])))["id"])
    await world.wait_result(thread_id)
    await world.discord.slash(world.discord.guild_id, thread_id, world.alice.user.id,
                              "video", ["text"], {"prompt": "second clip"})
    await world.wait_result(thread_id, 2)
    assert len(world.discord.requests_to("POST", r"/threads$")) == 1


@pytest.mark.usefixtures("no_bot_errors")
async def test_server_defaults_and_allowed_channels(world: World) -> None:
    await world.start_bot()
    guild = world.discord.guild_id
    videos = await world.discord.add_channel(guild, "videos")
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "klingbot", ["settings", "defaults"],
                                      {"default_model": "kling-v1", "default_mode": "pro",
                                       "default_duration": 10})
    await world.wait_private_reply(inter)
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "klingbot", ["settings", "channels"],
                                      {"allowed_channel": videos.id})
    await world.wait_private_reply(inter)
    refused = await world.wait_private_reply(await world.video(world.alice))
    assert f"<#{videos.id}>" in refused and world.kling.create_count == 0
    ok = await world.discord.slash(guild, videos.id, world.alice.user.id, "video", ["text"],
                                   {"prompt": "a boat"})
    assert "on its way" in await world.wait_private_reply(ok)
    body = (await world.kling.wait_for(lambda: world.kling.last_task)).request
    assert (body["model"], body["mode"], body["duration"]) == ("kling-v1", "pro", 10)
    # A member's explicit choice beats the server's default.
    ok = await world.discord.slash(guild, videos.id, world.alice.user.id, "video", ["text"],
                                   {"prompt": "a boat", "model": "kling-v2-master"})
    await world.wait_private_reply(ok)
    body = (await world.kling.wait_for(
        lambda: world.kling.create_count == 2 and world.kling.last_task)).request
    assert body["model"] == "kling-v2-master" and "mode" not in body


@pytest.mark.usefixtures("no_bot_errors")
async def test_role_limits_apply_to_videos(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=1)
    guild = world.discord.guild_id
    vip = await world.discord.add_role(guild, "vip")
    fan = await world.discord.add_member(guild, name="fan", roles=[vip.id])
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "quota", ["role"], {"role": vip.id, "credits": 5})
    await world.wait_private_reply(inter)
    for _ in range(2):  # 4 credits: more than the default of 1, within the role's 5
        reply = await world.wait_private_reply(await world.video(
            fan, options={"prompt": "fireworks", "mode": "pro"}))
        assert "on its way" in reply
    assert await bot.engine.store.credits_spent(guild, fan.user.id, 0) == 4


@pytest.mark.usefixtures("no_bot_errors")
async def test_card_edits_are_paced(world: World) -> None:
    world.kling.processing_seconds = 1.2
    await world.start_bot(card_edit_interval=0.5)
    await world.video(world.alice)
    card_id = int((await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"])))["id"])
    await world.wait_result(card_id)
    await world.discord.wait_until(
        lambda: "Done" in str(world.discord.messages[card_id]["embeds"]), 5, "done")
    edits = [r.received_at for r in world.discord.requests_to(
        "PATCH", rf"/channels/{world.discord.channel_id}/messages/{card_id}$")]
    assert len(edits) >= 2
    gaps = [b - a for a, b in itertools.pairwise(edits)]
    assert min(gaps) >= 0.4, gaps  # 0.5 s apart when sent; allow for delivery jitter


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


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_channel_the_bot_cannot_post_in_is_refused_and_refunded(world: World) -> None:
    bot = await world.start_bot()
    await world.discord.set_overwrite(world.discord.channel_id, world.discord.bot_user.id,
                                      deny=Permission.SEND_MESSAGES)
    reply = await world.wait_private_reply(await world.video(world.alice))
    assert "cannot post in this channel" in reply and "Nothing was charged" in reply
    assert world.kling.create_count == 0
    assert await bot.engine.store.credits_spent(world.discord.guild_id,
                                                world.alice.user.id, 0) == 0


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_discord_rate_limit_delays_the_result_but_never_doubles_it(
        world: World) -> None:
    await world.start_bot()
    # The first post into the thread is answered 429; discord.py waits and tries again.
    world.discord.fail_next("POST", rf"^/channels/(?!{world.discord.channel_id}/)\d+/messages$",
                            429, retry_after=0.2)
    await world.video(world.alice)
    thread_id = int((await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"])))["id"])
    [result] = await world.wait_result(thread_id)
    assert result["attachments"]
    posts = world.discord.requests_to("POST", rf"^/channels/{thread_id}/messages$")
    assert [r.status for r in posts] == [429, 200]


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_deleted_thread_sends_the_result_to_the_channel(world: World) -> None:
    world.kling.auto_finish = False
    bot = await world.start_bot()
    await world.video(world.alice)
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    thread_id = int(card["id"])
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    await world.discord.wait_until(lambda: thread_id in world.discord.channels or None, 5,
                                   "the thread")
    del world.discord.channels[thread_id]  # a moderator deleted the thread meanwhile
    await world.kling.finish(task.task_id)
    [result] = await world.wait_result(world.discord.channel_id)
    assert result["attachments"]
    [job] = await world.wait_delivered(bot)
    assert job.result_message_id == int(result["id"])

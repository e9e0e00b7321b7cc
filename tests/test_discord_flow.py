"""Issue 3 flows: the real bot, the real discord.py client, a local Discord and Kling."""

from __future__ import annotations

import pytest

from bot.store import JobState, LedgerStatus
from testkit.fakes.discord import MIB, AttachmentSpec
from tests.discord_support import World, components_of, custom_ids

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]

PNG = AttachmentSpec("cat.png", size=200_000, content_type="image/png", width=1024,
                     height=768)


async def test_text_video_card_thread_and_result_with_buttons(world: World) -> None:
    bot = await world.start_bot()
    inter = await world.video(world.alice, options={"prompt": "a fox in the snow",
                                                     "mode": "pro", "duration": 10})
    first = await world.discord.wait_for_response(inter)
    assert first.type == 5 and first.ephemeral  # deferred, privately
    assert first.received_at - inter.created_at < 3.0

    card = await _card(world)
    assert int(card["id"]) in inter.followup_message_ids  # the card follows the command
    [result] = await world.wait_result(int(card["id"]))
    thread_id = int(card["id"])  # a thread started from the card has the card's id
    assert int(result["channel_id"]) == thread_id
    assert world.discord.channels[thread_id].type == 11
    [attachment] = result["attachments"]
    task = world.kling.last_task
    assert task is not None
    assert attachment["size"] == len(world.kling.video_bytes(task.task_id))
    assert world.discord.attachment_bytes(attachment["id"]) == world.kling.video_bytes(
        task.task_id)
    job_id = custom_ids(result)[0].rsplit(":", 1)[1]
    assert custom_ids(result) == [f"kling:extend:{job_id}", f"kling:extend-prompt:{job_id}",
                                  f"kling:report:{job_id}"]
    [link] = [c for c in components_of(result) if c.get("url")]
    assert link["url"] == task.video_url
    assert result["mentions"][0]["id"] == str(world.alice.user.id)

    # The card says who, what and how much, and ends as done with a link to the result.
    await world.discord.wait_until(lambda: "Done" in str(world.card()["embeds"]), 5, "done card")
    embed = world.card()["embeds"][0]
    assert embed["description"] == "a fox in the snow"
    shown = str(embed)
    assert f"<@{world.alice.user.id}>" in shown and "pro" in shown and "10 s" in shown
    assert "4 credits" in shown
    [job] = await world.wait_delivered(bot)
    assert job.id == job_id
    assert job.status_message_id == int(card["id"]) and job.thread_id == thread_id
    reply = await world.wait_private_reply(inter)
    assert "on its way" in reply and f"<#{world.discord.channel_id}>" in reply


@pytest.mark.parametrize(("spec", "reason"), [
    (AttachmentSpec("cat.gif", size=50_000, content_type="image/gif", width=800, height=800),
     "PNG or JPEG"),
    (AttachmentSpec("huge.png", size=12 * MIB, content_type="image/png", width=4000,
                    height=3000), "at most 10 MB"),
    (AttachmentSpec("tiny.png", size=9_000, content_type="image/png", width=200, height=200),
     "at least 300 px"),
    (AttachmentSpec("strip.jpg", size=90_000, content_type="image/jpeg", width=3000,
                    height=400), "aspect ratio"),
])
async def test_bad_images_are_refused_with_their_reason(world: World, spec: AttachmentSpec,
                                                        reason: str) -> None:
    bot = await world.start_bot()
    inter = await world.video(world.alice, "image", {"prompt": "wave"},
                              attachments={"image": spec})
    reply = await world.wait_private_reply(inter)
    assert reason in reply and spec.filename in reply
    [response] = world.discord.interaction_responses(inter)
    assert response.type == 4 and response.ephemeral  # answered at once, not deferred
    assert world.kling.create_count == 0
    assert await bot.engine.store.credits_spent(world.discord.guild_id,
                                                world.alice.user.id, 0) == 0


async def test_image_video_with_a_valid_png(world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, "image", {"prompt": "she waves"},
                              attachments={"image": PNG})
    [result] = await world.wait_result(int((await _card(world))["id"]))
    task = world.kling.last_task
    assert task is not None and task.request["action"] == "image2video"
    assert "/attachments/" in task.request["start_image_url"]
    assert result["attachments"]
    assert "on its way" in await world.wait_private_reply(inter)


async def _card(world: World) -> dict:
    return await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"]))


async def test_extend_and_extend_with_new_prompt_in_the_same_thread(world: World) -> None:
    bot = await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await _card(world))["id"])
    [first] = await world.wait_result(thread_id)

    click = await world.discord.click(world.alice.user.id, int(first["id"]),
                                      custom_ids(first)[0])
    await world.wait_result(thread_id, 2)
    extend = world.kling.last_task
    assert extend is not None and extend.request["action"] == "extend"
    assert extend.request["video_id"] == next(iter(world.kling.tasks.values())).video_id
    assert extend.request["prompt"] == "a fox in the snow"
    assert "on its way" in await world.wait_private_reply(click)

    second = (await world.wait_result(thread_id, 2))[-1]
    open_modal = await world.discord.click(world.alice.user.id, int(second["id"]),
                                           custom_ids(second)[1])
    assert (await world.discord.wait_for_response(open_modal)).type == 9
    modal_id = world.discord.interaction_responses(open_modal)[0].data["custom_id"]
    inputs = [c["custom_id"] for row in world.discord.interaction_responses(open_modal)[0]
              .data["components"] for c in (row.get("components") or [row.get("component")])]
    await world.discord.submit_modal(world.alice.user.id, open_modal, modal_id,
                                     {inputs[0]: "the fox jumps into a river"})
    results = await world.wait_result(thread_id, 3)
    assert world.kling.last_task.request["prompt"] == "the fox jumps into a river"
    # Every result in the chain carries the buttons (the Extends, Join the story as well,
    # Report), and all of it is in one thread.
    assert [[c.split(":")[1] for c in custom_ids(r)] for r in results] == [
        ["extend", "extend-prompt", "report"],
        *[["extend", "extend-prompt", "join", "report"]] * 2]
    assert len(world.discord.messages_in(world.discord.channel_id)) == 1  # just the card
    jobs = await bot.engine.store.jobs_in_state((JobState.DELIVERED,))
    assert {j.thread_id for j in jobs} == {thread_id}


async def test_buttons_work_after_a_restart(world: World) -> None:
    first_bot = await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await _card(world))["id"])
    [result] = await world.wait_result(thread_id)
    await world.stop_bot(first_bot)

    await world.start_bot()
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      custom_ids(result)[0])
    assert "on its way" in await world.wait_private_reply(click)
    await world.wait_result(thread_id, 2)


async def test_strangers_are_refused_and_moderators_may_extend(world: World) -> None:
    await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await _card(world))["id"])
    [result] = await world.wait_result(thread_id)
    stranger = await world.discord.click(world.bob.user.id, int(result["id"]),
                                         custom_ids(result)[0])
    assert "Only the person who asked" in await world.wait_private_reply(stranger)
    assert len(world.kling.tasks) == 1
    moderator = await world.discord.click(world.moderator.user.id, int(result["id"]),
                                          custom_ids(result)[0])
    assert "on its way" in await world.wait_private_reply(moderator)
    await world.wait_result(thread_id, 2)


async def test_too_large_results_are_posted_as_links(world: World) -> None:
    world.kling.video_size = 11 * MIB  # the guild's limit is 10 MiB (no boost)
    await world.start_bot()
    await world.video(world.alice)
    thread_id = int((await _card(world))["id"])
    [result] = await world.wait_result(thread_id)
    assert result["attachments"] == []
    assert "upload limit" in result["content"]
    assert world.kling.last_task.video_url in result["content"]
    thread_posts = world.discord.requests_to("POST", rf"^/channels/{thread_id}/messages$")
    assert [r.status for r in thread_posts] == [200], "no upload may even be tried"


async def test_a_413_from_discord_falls_back_to_the_link(world: World) -> None:
    await world.start_bot()
    # Refuse the first upload into any channel but the main one (the thread).
    world.discord.fail_next("POST", rf"^/channels/(?!{world.discord.channel_id}/)\d+/messages$",
                            413, body={"message": "Request entity too large", "code": 40005})
    await world.video(world.alice)
    thread_id = int((await _card(world))["id"])
    [result] = await world.wait_result(thread_id)
    assert result["attachments"] == []
    assert "refused the upload" in result["content"]
    assert world.kling.last_task.video_url in result["content"]
    uploads = world.discord.requests_to("POST", rf"^/channels/{thread_id}/messages$")
    assert [r.status for r in uploads] == [413, 200]


async def test_results_arrive_after_the_interaction_token_expired(world: World) -> None:
    world.discord.token_lifetime = 0.5
    world.kling.processing_seconds = 1.5
    bot = await world.start_bot()
    inter = await world.video(world.alice)
    await world.discord.wait_for_response(inter)
    thread_id = int((await _card(world))["id"])
    [result] = await world.wait_result(thread_id)
    assert result["attachments"]
    await world.discord.wait_until(lambda: "Done" in str(world.card()["embeds"]), 5,
                                   "the card edited to done")
    webhook_after = [r for r in world.discord.requests if r.path.startswith("/webhooks/")
                     and r.received_at - inter.created_at > 0.5]
    assert webhook_after == [], "nothing may use the interaction token after it expired"
    [job] = await world.wait_delivered(bot)
    assert await bot.engine.store.ledger_entry(job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_a_prompt_with_everyone_pings_nobody_else(world: World) -> None:
    await world.start_bot()
    await world.video(world.alice, options={"prompt": "@everyone look @here <@&1> party"})
    thread_id = int((await _card(world))["id"])
    [result] = await world.wait_result(thread_id)
    for message in [*world.discord.messages_in(world.discord.channel_id),
                    *world.discord.messages_in(thread_id)]:
        assert message["mention_everyone"] is False
        assert message["mention_roles"] == []
        assert {m["id"] for m in message["mentions"]} <= {str(world.alice.user.id)}
    assert [m["id"] for m in result["mentions"]] == [str(world.alice.user.id)]


async def test_extend_is_refused_outside_the_servers_allowed_channels(world: World) -> None:
    """The server's allowed channels hold for Extend and Extend with a new prompt too: a
    result in the thread of a channel that is no longer allowed cannot be extended, one in the
    thread of an allowed channel can (a thread counts as its parent channel)."""
    bot = await world.start_bot()
    guild = world.discord.guild_id
    videos = await world.discord.add_channel(guild, "videos")
    await world.video(world.alice)
    elsewhere = int((await _card(world))["id"])
    [outside] = await world.wait_result(elsewhere)
    inter = await world.discord.slash(guild, videos.id, world.alice.user.id, "video", ["text"],
                                      {"prompt": "a boat"})
    await world.wait_private_reply(inter)
    inside_thread = int((await world.discord.wait_for_message(
        videos.id, lambda m: bool(m["embeds"])))["id"])
    [inside] = await world.wait_result(inside_thread)
    inter = await world.discord.slash(guild, world.discord.channel_id, world.moderator.user.id,
                                      "klingbot", ["settings", "channels"],
                                      {"allowed_channel": videos.id})
    await world.wait_private_reply(inter)
    made = world.kling.create_count

    click = await world.discord.click(world.alice.user.id, int(outside["id"]),
                                      custom_ids(outside)[0])
    refused = await world.wait_private_reply(click)
    assert "these channels only" in refused and f"<#{videos.id}>" in refused
    opened = await world.discord.click(world.alice.user.id, int(outside["id"]),
                                       custom_ids(outside)[1])
    assert (await world.discord.wait_for_response(opened)).type == 9
    modal = world.discord.interaction_responses(opened)[0].data
    inputs = [c["custom_id"] for row in modal["components"]
              for c in (row.get("components") or [row.get("component")])]
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal["custom_id"],
                                              {inputs[0]: "the fox jumps"})
    refused = await world.wait_private_reply(submit)
    assert "these channels only" in refused and f"<#{videos.id}>" in refused
    assert world.kling.create_count == made
    assert len(await bot.engine.store.jobs_in_state(tuple(JobState))) == 2  # nothing reserved

    click = await world.discord.click(world.alice.user.id, int(inside["id"]),
                                      custom_ids(inside)[0])
    assert "on its way" in await world.wait_private_reply(click)
    await world.wait_result(inside_thread, 2)

"""A text or image video through Discord, the real bot and discord.py client against the fake
Discord and the fake Kling: the card, its thread and the result with its buttons; images refused
with their reason; results that arrive after the interaction token expired; a prompt with
@everyone pings nobody."""

from __future__ import annotations

import pytest

from bot.store import LedgerStatus
from testkit.fakes.discord import MIB, AttachmentSpec
from testkit.store_reads import ledger_entry
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

    card = await world.first_card()
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
    [result] = await world.wait_result(int((await world.first_card())["id"]))
    task = world.kling.last_task
    assert task is not None and task.request["action"] == "image2video"
    assert "/attachments/" in task.request["start_image_url"]
    assert result["attachments"]
    assert "on its way" in await world.wait_private_reply(inter)


async def test_results_arrive_after_the_interaction_token_expired(world: World) -> None:
    world.discord.token_lifetime = 0.5
    world.kling.processing_seconds = 1.5
    bot = await world.start_bot()
    inter = await world.video(world.alice)
    await world.discord.wait_for_response(inter)
    thread_id = int((await world.first_card())["id"])
    [result] = await world.wait_result(thread_id)
    assert result["attachments"]
    await world.discord.wait_until(lambda: "Done" in str(world.card()["embeds"]), 5,
                                   "the card edited to done")
    webhook_after = [r for r in world.discord.requests if r.path.startswith("/webhooks/")
                     and r.received_at - inter.created_at > 0.5]
    assert webhook_after == [], "nothing may use the interaction token after it expired"
    [job] = await world.wait_delivered(bot)
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.COMMITTED)


async def test_a_prompt_with_everyone_pings_nobody_else(world: World) -> None:
    await world.start_bot()
    await world.video(world.alice, options={"prompt": "@everyone look @here <@&1> party"})
    thread_id = int((await world.first_card())["id"])
    [result] = await world.wait_result(thread_id)
    for message in [*world.discord.messages_in(world.discord.channel_id),
                    *world.discord.messages_in(thread_id)]:
        assert message["mention_everyone"] is False
        assert message["mention_roles"] == []
        assert {m["id"] for m in message["mentions"]} <= {str(world.alice.user.id)}
    assert [m["id"] for m in result["mentions"]] == [str(world.alice.user.id)]

"""Omni and stories through Discord: /video omni (reference images and a reference video, cited
in the prompt), the "Use as reference" menu and its pending set, and /video story (several
shots). The real bot, the real discord.py client, the fake Discord and the fake Kling."""

from __future__ import annotations

import asyncio
import struct
import zlib
from typing import Any

import pytest

from bot.quotas import load_costs
from bot.store import JobState, LedgerStatus
from testkit.fakes.discord import AttachmentSpec, image_link_embed
from testkit.store_reads import ledger_entry
from tests.discord_support import World, custom_ids
from tests.support import eventually

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


def png(width: int, height: int) -> bytes:
    """A real (grey) PNG file of the given size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def image(name: str, width: int = 640, height: int = 480) -> AttachmentSpec:
    return AttachmentSpec(name, data=png(width, height), content_type="image/png",
                          width=width, height=height)


CLIP = AttachmentSpec("dance.mp4", size=300_000, content_type="video/mp4")


async def omni(world: World, options: dict[str, Any], attachments: dict[str, AttachmentSpec]
               ) -> Any:
    return await world.video(world.alice, "omni", options, attachments=attachments)


async def spent(world: World, bot: Any) -> int:
    return int(await bot.engine.store.credits_spent(world.discord.guild_id,
                                                    world.alice.user.id, 0))


def attachment_urls(interaction: Any) -> list[str]:
    """The signed URLs of the attachments a slash command carried, in option order."""
    resolved = interaction.payload["data"]["resolved"]["attachments"]
    return [att["url"] for att in resolved.values()]


async def test_omni_with_images_and_a_video_reaches_kling_and_delivers(world: World) -> None:
    bot = await world.start_bot()
    inter = await omni(world, {"prompt": "the dancer spins on the beach",
                               "video_use": "base"},
                       {"image1": image("dancer.png"), "image2": image("beach.png", 800, 600),
                        "video": CLIP})
    assert "on its way" in await world.wait_private_reply(inter)
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    body = task.request
    assert body["model"] == "kling-v3-omni"  # the first omni model (no server default)
    urls = attachment_urls(inter)
    assert body["image_list"] == [{"image_url": urls[0]}, {"image_url": urls[1]}]
    assert body["video_list"] == [{"video_url": urls[2], "refer_type": "base",
                                   "keep_original_sound": "yes"}]
    assert body["generate_audio"] is False
    assert body["prompt"] == "the dancer spins on the beach <<<image_1>>> <<<image_2>>>"
    assert "negative_prompt" not in body and "cfg_scale" not in body
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    [result] = await world.wait_result(int(card["id"]))
    assert result["attachments"]
    [job] = await world.wait_delivered(bot)
    assert await spent(world, bot) == job.cost > 0
    shown = str(world.card()["embeds"][0])
    assert "so the bot cited all 2 images, in order" in shown
    assert world.card()["embeds"][0]["title"] == "Video from references"


async def test_a_prompt_that_cites_its_images_is_sent_as_written(world: World) -> None:
    await world.start_bot()
    inter = await omni(world, {"prompt": "<<<image_2>>> chases <<<image_1>>>",
                               "model": "kling-o1"},
                       {"image1": image("cat.png"), "image2": image("dog.png")})
    assert "on its way" in await world.wait_private_reply(inter)
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    assert task.request["prompt"] == "<<<image_2>>> chases <<<image_1>>>"
    assert task.request["model"] == "kling-o1" and "video_list" not in task.request
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    assert "cited" not in str(card["embeds"][0])


@pytest.mark.parametrize(("options", "attachments", "said"), [
    ({"prompt": "<<<image_3>>> waves"}, {"image1": image("a.png"), "image2": image("b.png")},
     "cites `<<<image_3>>>`, but the job has 2 images"),
    ({"prompt": "they dance"},
     {**{f"image{n}": image(f"{n}.png") for n in range(1, 6)}, "video": CLIP},
     "at most 4 images, not 5"),
    ({"prompt": "it moves"}, {"image1": image("a.png"), "image2": AttachmentSpec(
        "b.gif", size=5000, content_type="image/gif", width=500, height=500)},
     "`b.gif` is image/gif"),
    ({"prompt": "it moves"}, {"image1": image("tiny.png", 200, 200)}, "at least 300 px"),
    ({"prompt": "it moves"}, {"image1": image("a.png"), "video": AttachmentSpec(
        "clip.webm", size=5000, content_type="video/webm")}, "must be MP4 or MOV"),
    ({"prompt": "it moves"}, {}, "needs at least one image"),
    ({"prompt": "it moves"}, {"image1": image("a.png"), "image3": image("c.png")},
     "`image3` is given but `image2` is not"),
])
async def test_omni_refusals_cost_nothing(world: World, options: dict[str, Any],
                                          attachments: dict[str, AttachmentSpec], said: str
                                          ) -> None:
    bot = await world.start_bot()
    inter = await omni(world, options, attachments)
    assert said in await world.wait_private_reply(inter)
    assert world.kling.create_count == 0
    assert await spent(world, bot) == 0


async def test_kling_refusing_the_reference_video_is_shown_and_refunded(world: World) -> None:
    bot = await world.start_bot()
    message = "video duration must be between 3 and 10 seconds."
    world.kling.fail_next("create", 400, code="bad_request", message=message)
    await omni(world, {"prompt": "copy this dance", "model": "kling-o1"},
               {"image1": image("me.png"), "video": CLIP})
    await world.discord.wait_for_message(world.discord.channel_id, lambda m: bool(m["embeds"]))
    await world.discord.wait_until(lambda: message in str(world.card()["embeds"]), 10,
                                   "the failed card")
    [request] = [r for r in world.kling.requests if r.endpoint == "create"]
    assert request.json["video_list"][0]["refer_type"] == "feature"
    assert request.json["video_list"][0]["keep_original_sound"] == "no"
    [job] = await bot.engine.store.jobs_in_state((JobState.FAILED,))
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert await spent(world, bot) == 0


# "Use as reference" ---------------------------------------------------------------------------

async def use_as_reference(world: World, message: dict[str, Any]) -> tuple[Any, str]:
    inter = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                             world.alice.user.id, "Use as reference",
                                             int(message["id"]))
    return inter, await world.wait_private_reply(inter)


async def test_references_from_a_forwarded_message_feed_the_next_omni(world: World) -> None:
    bot = await world.start_bot()
    original = await world.discord.post_user_message(
        world.discord.channel_id, world.bob.user.id, "our pets",
        [image("cat.png"), image("dog.png", 900, 700)])
    forwarded = await world.discord.forward_message(world.discord.channel_id,
                                                    world.alice.user.id, int(original["id"]))
    _, listed = await use_as_reference(world, forwarded)
    assert "2 images added" in listed
    assert "<<<image_1>>> `cat.png`" in listed and "<<<image_2>>> `dog.png`" in listed
    # An image link unfurled in another message joins them.
    link = "https://example.org/pictures/park.jpg"
    posted = await world.discord.post_user_message(
        world.discord.channel_id, world.bob.user.id, link,
        embeds=[image_link_embed(link, 1024, 768)])
    _, listed = await use_as_reference(world, posted)
    assert "1 image added" in listed and "<<<image_3>>> `park.jpg`" in listed

    inter = await omni(world, {"prompt": "the pets play in the park"},
                       {"image1": image("ball.png")})
    assert "on its way" in await world.wait_private_reply(inter)
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    shots = [item["image_url"] for item in task.request["image_list"]]
    # The command's own images first, then the pending ones in the order they were added.
    assert shots == [attachment_urls(inter)[0], *(a["url"] for a in original["attachments"]),
                     link]
    # Used up by the job.
    async def used_up() -> bool:
        return not await bot.engine.references.pending(world.discord.guild_id,
                                                       world.alice.user.id)
    assert await eventually(used_up, 5)


async def test_the_clear_button_empties_the_set(world: World) -> None:
    bot = await world.start_bot()
    posted = await world.discord.post_user_message(world.discord.channel_id,
                                                   world.alice.user.id, "", [image("a.png")])
    inter, _ = await use_as_reference(world, posted)
    [listing] = [m for m in world.discord.interaction_messages(inter) if m["content"]]
    assert custom_ids(listing) == ["kling:refs-clear"]
    click = await world.discord.click(world.alice.user.id, int(listing["id"]),
                                      "kling:refs-clear")
    await world.discord.wait_for_response(click)
    assert "cleared" in world.discord.messages[int(listing["id"])]["content"]
    assert await bot.engine.references.pending(world.discord.guild_id,
                                               world.alice.user.id) == []
    refused = await omni(world, {"prompt": "it moves"}, {})
    assert "needs at least one image" in await world.wait_private_reply(refused)
    assert world.kling.create_count == 0


async def test_references_expire(world: World) -> None:
    bot = await world.start_bot()
    bot.engine.references.ttl = 0.5  # the operator's ten minutes, shortened for the test
    posted = await world.discord.post_user_message(world.discord.channel_id,
                                                   world.alice.user.id, "", [image("a.png")])
    _, listed = await use_as_reference(world, posted)
    assert "1 image added" in listed
    await asyncio.sleep(0.6)
    refused = await omni(world, {"prompt": "it moves"}, {})
    assert "needs at least one image" in await world.wait_private_reply(refused)
    assert world.kling.create_count == 0


async def test_a_message_without_images_and_images_that_fail_the_checks(world: World) -> None:
    await world.start_bot()
    text_only = await world.discord.post_user_message(world.discord.channel_id,
                                                      world.bob.user.id, "hello")
    _, said = await use_as_reference(world, text_only)
    assert "no PNG or JPEG image to use as a reference" in said
    mixed = await world.discord.post_user_message(
        world.discord.channel_id, world.bob.user.id, "",
        [image("tiny.png", 100, 100), image("fine.png")])
    _, listed = await use_as_reference(world, mixed)
    assert "1 image added" in listed and "Skipped: `tiny.png` is 100×100 px" in listed


async def test_more_than_seven_references_are_left_out(world: World) -> None:
    await world.start_bot()
    many = await world.discord.post_user_message(
        world.discord.channel_id, world.bob.user.id, "",
        [image(f"{n}.png") for n in range(9)])
    _, listed = await use_as_reference(world, many)
    assert "7 images added" in listed and "2 images were left out" in listed


# /video story ---------------------------------------------------------------------------------

async def open_story(world: World, options: dict[str, Any]) -> tuple[Any, str, str]:
    opened = await world.video(world.alice, "story", options)
    response = await world.discord.wait_for_response(opened)
    assert response.type == 9
    modal = response.data
    [field] = [c["custom_id"] for row in modal["components"]
               for c in (row.get("components") or [row.get("component")])]
    return opened, modal["custom_id"], field


async def test_a_story_with_filled_lengths_reaches_kling_and_the_card_says_so(
        world: World) -> None:
    bot = await world.start_bot()
    opened, modal_id, field = await open_story(world, {"model": "kling-v3", "duration": 10,
                                                       "aspect_ratio": "9:16"})
    submit = await world.discord.submit_modal(
        world.alice.user.id, opened, modal_id,
        {field: "4s: a fox wakes up in the snow\nit stretches\nit runs into the forest"})
    assert "on its way" in await world.wait_private_reply(submit)
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    assert task.request["multi_shot"] is True and task.request["shot_type"] == "customize"
    assert task.request["multi_prompt"] == [
        {"index": 1, "prompt": "a fox wakes up in the snow", "duration": 4},
        {"index": 2, "prompt": "it stretches", "duration": 3},
        {"index": 3, "prompt": "it runs into the forest", "duration": 3}]
    assert task.request["duration"] == 10 and task.request["model"] == "kling-v3"
    assert task.request["aspect_ratio"] == "9:16"
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    await world.wait_result(int(card["id"]))
    [job] = await world.wait_delivered(bot)
    assert await spent(world, bot) == job.cost > 0
    assert "filled the shots' open lengths evenly: 4 + 3 + 3 s" in str(world.card()["embeds"])
    assert world.card()["embeds"][0]["title"] == "Story in shots"


async def test_a_single_line_story_lets_the_model_cut_the_shots(world: World) -> None:
    await world.start_bot()
    opened, modal_id, field = await open_story(world, {"duration": 8})
    await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                     {field: "a day in the life of a lighthouse keeper"})
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    assert task.request["shot_type"] == "intelligence" and "multi_prompt" not in task.request
    assert task.request["prompt"] == "a day in the life of a lighthouse keeper"
    assert task.request["model"] == "kling-v3"  # the first model that cuts shots


@pytest.mark.parametrize(("options", "shots", "said"), [
    ({"duration": 5}, "3s: a\n3s: b", "The shots last 6 s in all, but the video is 5 s"),
    ({"mode": "std"}, "\n".join(f"shot {n}" for n in range(7)), "at most 6 shots, not 7"),
    ({"mode": "std"}, "a\n" + "x" * 600, "Shot 2 is 600 characters long"),
    ({"mode": "std"}, "a\n0s: b", "each shot must last at least 1 s"),
    ({"duration": 5}, "4s: a\nb\nc", "leaving no second for the 2 shots"),
    ({"mode": "pro"}, "10s: a\n8s: b", "makes videos of 3 to 15 seconds, not 18"),
])
async def test_story_refusals_cost_nothing(world: World, options: dict[str, Any], shots: str,
                                           said: str) -> None:
    bot = await world.start_bot()
    opened, modal_id, field = await open_story(world, options)
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                              {field: shots})
    assert said in await world.wait_private_reply(submit)
    assert world.kling.create_count == 0
    assert await spent(world, bot) == 0
    assert await bot.engine.store.count_by_state() in ({}, {"failed": 0})


async def test_too_many_images_with_the_pending_ones_are_refused_and_the_set_is_kept(
        world: World) -> None:
    bot = await world.start_bot()
    many = await world.discord.post_user_message(
        world.discord.channel_id, world.bob.user.id, "", [image(f"{n}.png") for n in range(7)])
    await use_as_reference(world, many)
    inter = await omni(world, {"prompt": "all of them"}, {"image1": image("one-more.png")})
    assert "takes 1 to 7 images, not 8" in await world.wait_private_reply(inter)
    assert world.kling.create_count == 0 and await spent(world, bot) == 0
    pending = await bot.engine.references.pending(world.discord.guild_id, world.alice.user.id)
    assert len(pending) == 7  # a refused job uses nothing up


async def test_omni_with_sound_sends_it_and_a_story_keeps_sound_and_spoiler(
        world: World) -> None:
    """`audio` and `spoiler` reach omni jobs and stories as they reach /video text: Kling is
    asked for sound, the price includes it, and the story's video is posted as a spoiler."""
    bot = await world.start_bot()
    inter = await omni(world, {"prompt": "the cat sings", "model": "kling-v3-omni",
                               "audio": True}, {"image1": image("cat.png")})
    assert "on its way" in await world.wait_private_reply(inter)
    task = await world.kling.wait_for(lambda: world.kling.last_task)
    assert task.request["generate_audio"] is True
    [job] = await world.wait_delivered(bot)
    table = load_costs()  # the shipped prices, which the bot runs on here
    assert job.cost == table.cost("kling-v3-omni", job.mode, job.duration, audio=True)
    assert job.cost > table.cost("kling-v3-omni", job.mode, job.duration, audio=False)

    opened, modal_id, field = await open_story(world, {"model": "kling-v3", "duration": 6,
                                                       "audio": True, "spoiler": True})
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                              {field: "3s: a fox wakes up\n3s: it runs"})
    assert "on its way" in await world.wait_private_reply(submit)
    story_task = await world.kling.wait_for(
        lambda: world.kling.last_task if world.kling.last_task is not task else None)
    assert story_task.request["generate_audio"] is True
    card = await world.discord.wait_for_message(
        world.discord.channel_id, lambda m: bool(m["embeds"]) and "Story" in str(m["embeds"]))
    [result] = await world.wait_result(int(card["id"]))
    assert result["attachments"][0]["filename"].startswith("SPOILER_")


async def test_a_story_shot_breaking_a_prompt_filter_is_refused_free(world: World) -> None:
    """The server's prompt filters read every shot of a story."""
    bot = await world.start_bot()
    added = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.moderator.user.id, "klingbot", ["filter", "add"],
                                      {"word": "fox"})
    assert "Done" in await world.wait_private_reply(added)
    opened, modal_id, field = await open_story(world, {"model": "kling-v3", "duration": 6})
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                              {field: "3s: a quiet wood\n3s: a fox runs"})
    refused = await world.wait_private_reply(submit)
    assert "“fox”" in refused and "nothing was charged" in refused
    assert world.kling.create_count == 0
    assert await spent(world, bot) == 0

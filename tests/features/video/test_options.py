"""The options of /video through the real bot, the fake Discord and the fake Kling:
sound, loop, the lengths a model makes (autocomplete), the price on the card and in the ledger,
and Extend's length and age."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from bot.store import JobState, LedgerStatus
from testkit.fakes.discord import AttachmentSpec
from testkit.store_reads import ledger_entry
from tests.discord_support import World, custom_ids

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]

PNG = AttachmentSpec("cat.png", size=200_000, content_type="image/png", width=1024,
                     height=768)
DAY = 86400.0


async def accepted(world: World, inter: Any) -> dict[str, Any]:
    """The request Kling received for an accepted command."""
    assert "on its way" in await world.wait_private_reply(inter)
    await world.kling.wait_for(lambda: world.kling.last_task is not None)
    task = world.kling.last_task
    assert task is not None
    return dict(task.request)


async def lengths_offered(world: World, member: Any, subcommand: str,
                          options: dict[str, Any], typed: str = "") -> list[dict[str, Any]]:
    """The choices the bot answers a member typing into `duration` with (callback type 8)."""
    inter = await world.discord.autocomplete(
        world.discord.guild_id, world.discord.channel_id, member.user.id, "video",
        [subcommand], options, focused="duration", typed=typed)
    answer = await world.discord.wait_for_response(inter)
    assert answer.type == 8
    return list(answer.data["choices"])


# ---- sound

async def test_sound_reaches_kling_and_costs_its_surcharge(world: World) -> None:
    bot = await world.start_bot()
    inter = await world.video(world.alice, options={
        "prompt": "a fox sings", "model": "kling-v3", "mode": "pro", "duration": 10,
        "audio": True})
    sent = await accepted(world, inter)
    assert sent["generate_audio"] is True and sent["duration"] == 10
    [job] = await bot.engine.store.jobs_in_state(tuple(JobState))
    # The shipped table: 0.4 a second in pro, 0.1 a second for sound: 4 + 1.
    assert job.cost == 5
    assert await ledger_entry(bot.engine.store, job.id) == (5, LedgerStatus.HELD)


async def test_sound_a_model_cannot_make_is_refused_naming_those_that_can(
        world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, options={
        "prompt": "a fox sings", "model": "kling-v1-6", "audio": True})
    reply = await world.wait_private_reply(inter)
    assert reply.startswith("`kling-v1-6` does not make sound. Models that do:")
    assert "`kling-v3`" in reply and "`kling-v2-6`" in reply
    inter = await world.video(world.alice, options={
        "prompt": "a fox sings", "model": "kling-v2-6", "mode": "std", "audio": True})
    assert "needs the `pro` mode" in await world.wait_private_reply(inter)
    assert world.kling.create_count == 0


async def test_a_model_that_always_has_sound_has_it_by_default_and_on_its_card(
        world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, options={
        "prompt": "rain on a roof", "model": "kling-v3-turbo", "duration": 5})
    sent = await accepted(world, inter)
    assert sent["generate_audio"] is True
    settings = world.card()["embeds"][0]["fields"][1]["value"]
    assert "with sound" in settings and "2 credits" in settings  # 1 + 0.5, rounded up


# ---- loop

async def test_a_loop_sends_the_start_image_as_the_end_frame(world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, "image", {"model": "kling-v3", "duration": 6,
                                                     "loop": True},
                              attachments={"image": PNG})
    sent = await accepted(world, inter)
    assert sent["end_image_url"] == sent["start_image_url"]
    assert "/cat.png" in sent["start_image_url"] and sent["duration"] == 6


async def test_a_loop_is_refused_where_it_cannot_be(world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, "image", {"model": "kling-v3-turbo", "loop": True},
                              attachments={"image": PNG})
    reply = await world.wait_private_reply(inter)
    assert reply.startswith("`kling-v3-turbo` cannot loop: it takes no end frame.")
    assert "`kling-v3`" in reply
    inter = await world.video(world.alice, "image", {"model": "kling-v3", "loop": True},
                              attachments={"image": PNG, "end_image": PNG})
    assert "use either `loop` or `end_image`" in await world.wait_private_reply(inter)
    assert world.kling.create_count == 0


# ---- lengths

async def test_the_length_list_follows_the_model_picked_so_far(world: World) -> None:
    await world.start_bot()
    v3 = await lengths_offered(world, world.alice, "text", {"prompt": "p", "model": "kling-v3"})
    assert [c["value"] for c in v3] == list(range(3, 16))
    assert v3[0]["name"] == "3 seconds"
    v26 = await lengths_offered(world, world.alice, "image", {"model": "kling-v2-6"})
    assert [c["value"] for c in v26] == [5, 10]
    typed = await lengths_offered(world, world.alice, "text", {"model": "kling-v3"}, "1")
    assert [c["value"] for c in typed] == [10, 11, 12, 13, 14, 15]
    # kling-v1's end frames are 5 s only.
    looped = await lengths_offered(world, world.alice, "image",
                                   {"model": "kling-v1", "loop": True})
    assert [c["value"] for c in looped] == [5]


async def test_without_a_model_the_list_is_the_servers_default_s_in_the_member_s_language(
        world: World) -> None:
    await world.start_bot()
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.moderator.user.id, "klingbot", ["settings", "defaults"],
                                      {"default_model": "kling-v3-turbo"})
    await world.wait_private_reply(inter)
    world.alice.user.locale = "ko"
    offered = await lengths_offered(world, world.alice, "text", {"prompt": "p"})
    assert [c["value"] for c in offered] == list(range(3, 16))
    assert offered[2]["name"] == "5초"


async def test_a_length_the_model_cannot_make_is_refused_naming_those_it_can(
        world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, options={"prompt": "p", "model": "kling-v2-6",
                                                     "duration": 12})
    assert await world.wait_private_reply(inter) == (
        "`kling-v2-6` makes videos of 5 or 10 seconds, not 12.")
    inter = await world.video(world.alice, options={"prompt": "p", "model": "kling-v3",
                                                     "duration": 20})
    assert await world.wait_private_reply(inter) == (
        "`kling-v3` makes videos of 3 to 15 seconds, not 20.")
    assert world.kling.create_count == 0


async def test_a_length_in_the_range_is_sent_and_priced_by_the_second(world: World) -> None:
    bot = await world.start_bot()
    inter = await world.video(world.alice, options={"prompt": "p", "model": "kling-v3",
                                                     "mode": "4k", "duration": 13})
    sent = await accepted(world, inter)
    assert sent["duration"] == 13 and sent["mode"] == "4k"
    [job] = await bot.engine.store.jobs_in_state(tuple(JobState))
    assert job.cost == 11  # 0.8 a second in 4k: 10.4, rounded up


# ---- the price on the card, from the operator's table

async def test_the_card_shows_the_price_when_the_job_is_queued(world: World,
                                                                tmp_path: Path) -> None:
    costs = tmp_path / "costs.json"
    costs.write_text(json.dumps({
        "per_second": {"std": 1, "pro": 2},
        "audio_per_second": 1,
        "models": {"kling-v2-6": {"per_second": {"pro": 3}}},
        "model_multiplier": {"kling-video-o1": 2},
    }), encoding="utf-8")
    bot = await world.start_bot(costs_file=costs)
    inter = await world.video(world.alice, options={
        "prompt": "p", "model": "kling-v2-6", "mode": "pro", "duration": 10, "audio": True})
    await accepted(world, inter)
    # The card as first posted (queued, before Kling has it) carries the price.
    first = world.card_posts()[0].json["embeds"][0]["fields"]
    assert "40 credits · with sound" in first[1]["value"]  # (3 + 1) x 10
    assert "Queued" in first[2]["value"]
    [job] = await bot.engine.store.jobs_in_state(tuple(JobState))
    assert await ledger_entry(bot.engine.store, job.id) == (40, LedgerStatus.HELD)
    # A price given under the alias (kling-video-o1) is its model's.
    inter = await world.video(world.alice, options={"prompt": "p", "model": "kling-o1"})
    await accepted(world, inter)
    jobs = await bot.engine.store.jobs_in_state(tuple(JobState))
    assert {j.model: j.cost for j in jobs}["kling-o1"] == 10  # 1 x 5 x 2


async def test_an_operators_old_block_table_still_prices(world: World, tmp_path: Path) -> None:
    costs = tmp_path / "costs.json"
    costs.write_text(json.dumps({"base": {"std": 3, "pro": 5}, "per_seconds": 5}),
                     encoding="utf-8")
    bot = await world.start_bot(costs_file=costs)
    inter = await world.video(world.alice, options={"prompt": "p", "model": "kling-v3",
                                                     "duration": 7})
    await accepted(world, inter)
    [job] = await bot.engine.store.jobs_in_state(tuple(JobState))
    assert job.cost == 6  # two started blocks of 5 s


# ---- Extend

async def first_result(world: World) -> tuple[dict[str, Any], int]:
    inter = await world.video(world.alice, options={"prompt": "a fox", "model": "kling-v1-6",
                                                     "mode": "pro"})
    assert "on its way" in await world.wait_private_reply(inter)
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    thread_id = int(card["id"])
    [result] = await world.wait_result(thread_id)
    return result, thread_id


async def open_extend_modal(world: World, result: dict[str, Any]
                            ) -> tuple[Any, str, dict[str, str]]:
    opened = await world.discord.click(world.alice.user.id, int(result["id"]),
                                       custom_ids(result)[1])
    modal = (await world.discord.wait_for_response(opened))
    assert modal.type == 9
    inputs = {c["label"]: c["custom_id"] for row in modal.data["components"]
              for c in (row.get("components") or [row.get("component")])}
    return opened, modal.data["custom_id"], inputs


async def test_extend_sends_the_length_asked_for_with_the_source_s_model_and_mode(
        world: World) -> None:
    bot = await world.start_bot()
    result, thread_id = await first_result(world)
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      custom_ids(result)[0])
    assert "on its way" in await world.wait_private_reply(click)
    extend = await world.kling_task(2)
    assert extend is not None and extend.request["action"] == "extend"
    assert (extend.request["model"], extend.request["mode"], extend.request["duration"]) == (
        "kling-v1-6", "pro", 5)

    second = (await world.wait_result(thread_id, 2))[-1]
    opened, modal_id, inputs = await open_extend_modal(world, second)
    assert set(inputs) == {"Prompt", "Length in seconds (5 or 10)"}
    await world.discord.submit_modal(world.alice.user.id, opened, modal_id, {
        inputs["Prompt"]: "the fox runs", inputs["Length in seconds (5 or 10)"]: "10"})
    await world.wait_result(thread_id, 3)
    sent = world.kling.last_task.request
    assert (sent["prompt"], sent["duration"], sent["mode"]) == ("the fox runs", 10, "pro")
    jobs = await world.wait_delivered(bot, 3)
    # Pro: 0.4 a second, 10 s -> 4 credits, the 5 s ones 2.
    assert sorted(j.cost for j in jobs) == [2, 2, 4]


async def test_an_extend_length_the_model_cannot_make_is_refused_before_anything_is_spent(
        world: World) -> None:
    bot = await world.start_bot()
    result, _ = await first_result(world)
    opened, modal_id, inputs = await open_extend_modal(world, result)
    length = inputs["Length in seconds (5 or 10)"]
    submitted = await world.discord.submit_modal(world.alice.user.id, opened, modal_id, {
        inputs["Prompt"]: "on", length: "7"})
    assert await world.wait_private_reply(submitted) == (
        "`kling-v1-6` extends a video by 5 or 10 seconds, not 7.")
    opened, modal_id, inputs = await open_extend_modal(world, result)
    submitted = await world.discord.submit_modal(world.alice.user.id, opened, modal_id, {
        inputs["Prompt"]: "on", inputs["Length in seconds (5 or 10)"]: "ten"})
    assert "must be a number of seconds: 5 or 10" in await world.wait_private_reply(submitted)
    assert world.kling.create_count == 1
    assert len(await bot.engine.store.jobs_in_state(tuple(JobState))) == 1


async def test_a_source_older_than_30_days_is_refused_and_nothing_reserved(
        world: World) -> None:
    bot = await world.start_bot()
    result, _ = await first_result(world)
    [source] = await world.wait_delivered(bot)
    month_ago = time.time() - 31 * DAY
    await bot.engine.store.update(source.id, (JobState.DELIVERED,), submitted_at=month_ago)
    spent = await bot.engine.store.credits_spent(world.discord.guild_id, world.alice.user.id,
                                                 0.0)
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      custom_ids(result)[0])
    assert await world.wait_private_reply(click) == (
        "Kling extends only videos made in the last 30 days, and this one is older. "
        "Nothing was charged.")
    assert world.kling.create_count == 1
    assert len(await bot.engine.store.jobs_in_state(tuple(JobState))) == 1
    assert await bot.engine.store.credits_spent(world.discord.guild_id, world.alice.user.id,
                                                0.0) == spent
    # The same from the modal: refused when submitted, nothing spent either.
    opened, modal_id, inputs = await open_extend_modal(world, result)
    submitted = await world.discord.submit_modal(world.alice.user.id, opened, modal_id,
                                                 {inputs["Prompt"]: "on"})
    assert "last 30 days" in await world.wait_private_reply(submitted)
    assert world.kling.create_count == 1


async def test_the_lengths_offered_stop_at_the_servers_longest(world: World) -> None:
    """Staff's `max_duration` shortens the list a member picks from (a staff limit)."""
    await world.start_bot()
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.moderator.user.id, "klingbot", ["settings", "limits"],
                                      {"max_duration": 8})
    await world.wait_private_reply(inter)
    offered = await lengths_offered(world, world.alice, "text", {"model": "kling-v3"})
    assert [c["value"] for c in offered] == [3, 4, 5, 6, 7, 8]


async def test_the_lengths_offered_are_those_of_the_model_the_job_will_run_on(
        world: World) -> None:
    """With no model picked, a server whose longest length the table's default cannot make
    runs the job on the first model that can; the list is that model's, and the job is sent
    at a length from it."""
    bot = await world.start_bot()
    await bot.engine.store.set_guild_setting(world.discord.guild_id, "max_duration", 4)
    offered = await lengths_offered(world, world.alice, "text", {"prompt": "p"})
    assert [c["value"] for c in offered] == [3, 4]
    sent = await accepted(world, await world.video(world.alice, options={"prompt": "p"}))
    assert (sent["model"], sent["duration"]) == ("kling-v3", 4)


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_server_default_named_by_the_alias_is_sent_as_the_wire_name(
        world: World) -> None:
    await world.start_bot()
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.moderator.user.id, "klingbot",
                                      ["settings", "defaults"],
                                      {"default_model": "kling-video-o1"})
    await world.wait_private_reply(inter)
    inter = await world.video(world.alice, options={"prompt": "a fox"})
    assert "on its way" in await world.wait_private_reply(inter)
    await world.kling.wait_for(lambda: world.kling.create_count >= 1)
    assert world.kling.last_task.request["model"] == "kling-o1"


@pytest.mark.usefixtures("no_bot_errors")
async def test_kling_v3_in_4k_through_discord(world: World) -> None:
    await world.start_bot()
    inter = await world.video(world.alice, options={
        "prompt": "a fox", "model": "kling-v3", "mode": "4k", "duration": 10})
    assert "on its way" in await world.wait_private_reply(inter)
    await world.kling.wait_for(lambda: world.kling.create_count >= 1)
    sent = world.kling.last_task.request
    assert (sent["model"], sent["mode"], sent["duration"]) == ("kling-v3", "4k", 10)
    inter = await world.video(world.alice, options={
        "prompt": "a fox", "model": "kling-v3", "mode": "4k", "camera": "zoom_in"})
    assert "not available in 4K mode" in await world.wait_private_reply(inter)
    assert world.kling.create_count == 1

"""Continue any video, and Join the story (the whole story in one video): the real bot against the
fake Discord and the fake Kling, serving real videos made by FFmpeg in the set-up."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.discord.client import KlingBot
from bot.store import JobState
from tests.discord_support import World, custom_ids
from tests.videos import image_size, make_video, play

pytestmark = [pytest.mark.timeout(90), pytest.mark.usefixtures("no_bot_errors")]


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("story")
    return {
        "3s": make_video(folder / "3s.mp4", seconds=3, size="640x360"),
        "4s": make_video(folder / "4s.mp4", seconds=4, size="640x360", pattern="testsrc"),
        "7s": make_video(folder / "7s.mp4", seconds=7, size="640x360"),
        "2s": make_video(folder / "2s.mp4", seconds=2, size="640x360", tone=False),
    }


async def _thread(world: World) -> int:
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    return int(card["id"])


def _files(world: World, thread_id: int, suffix: str) -> list[dict[str, Any]]:
    return [m for m in world.discord.messages_in(thread_id)
            if any(a["filename"].endswith(suffix) for a in m["attachments"])]


def _saved(world: World, message: dict[str, Any], path: Path) -> Path:
    path.write_bytes(world.discord.attachment_bytes(message["attachments"][0]["id"]))
    return path


async def test_continue_starts_from_the_posted_last_frame_and_the_story_joins_once(
        world: World, videos: dict[str, Path], tmp_path: Path) -> None:
    world.kling.queue_video_files(videos["3s"], videos["4s"])
    bot = await world.start_bot()
    await world.video(world.alice, options={"prompt": "a fox in the snow",
                                            "model": "kling-v2-6", "mode": "pro"})
    thread_id = await _thread(world)
    [first] = await world.wait_result(thread_id)
    [first_job] = await world.wait_delivered(bot)
    # Kling 2.6 has no Extend: Continue instead, and no Join under a single part.
    assert custom_ids(first) == [f"kling:continue:{first_job.id}",
                                 f"kling:continue-prompt:{first_job.id}",
                                 f"kling:report:{first_job.id}"]

    click = await world.discord.click(world.alice.user.id, int(first["id"]),
                                      custom_ids(first)[0])
    assert "on its way" in await world.wait_private_reply(click, timeout=30)
    [frame] = await world.discord.wait_until(lambda: _files(world, thread_id, ".jpg"), 10,
                                             "the last frame in the thread")
    assert image_size(_saved(world, frame, tmp_path / "frame.jpg")) == (640, 360)
    task = await world.kling_task(2)
    assert task is not None and task.request["action"] == "image2video"
    assert task.request["start_image_url"] == frame["attachments"][0]["url"]
    assert (task.request["model"], task.request["mode"], task.request["prompt"],
            task.request["duration"]) == ("kling-v2-6", "pro", "a fox in the snow", 5)

    second = (await world.wait_result(thread_id, 2))[-1]
    jobs = await world.wait_delivered(bot, 2)
    child = next(j for j in jobs if j.id != first_job.id)
    assert child.parent_job_id == first_job.id and child.thread_id == thread_id
    assert child.cost == first_job.cost  # the same credits as any job of that model
    assert custom_ids(second) == [f"kling:continue:{child.id}",
                                  f"kling:continue-prompt:{child.id}", f"kling:join:{child.id}",
                                  f"kling:report:{child.id}"]

    join = await world.discord.click(world.alice.user.id, int(second["id"]),
                                     f"kling:join:{child.id}")
    assert "The story is joined" in await world.wait_private_reply(join, timeout=60)
    [story] = _files(world, thread_id, f"story-{child.id}.mp4")
    played = play(_saved(world, story, tmp_path / "story.mp4"))
    assert played.seconds == pytest.approx(3 + 4, abs=0.15)
    assert played.audio and (played.width, played.height) == (640, 360)
    assert "2 parts" in story["content"]
    spent = await bot.engine.store.credits_spent(world.discord.guild_id, world.alice.user.id, 0)
    assert spent == first_job.cost + child.cost, "joining is free"

    downloads = len(world.kling.downloads)
    again = await world.discord.click(world.alice.user.id, int(second["id"]),
                                      f"kling:join:{child.id}")
    reply = await world.wait_private_reply(again)
    assert "joined already" in reply and story["id"] in reply
    assert len(_files(world, thread_id, ".mp4")) == 3  # two parts and one story
    assert len(world.kling.downloads) == downloads, "nothing fetched or made again"


async def test_an_extend_that_contains_its_source_replaces_it_in_the_story(
        world: World, videos: dict[str, Path], tmp_path: Path) -> None:
    # 3 s; then an Extend returned whole (7 s: the 3 s and 4 new ones); then an Extend
    # returned as its new seconds only (2 s).
    world.kling.queue_video_files(videos["3s"], videos["7s"], videos["2s"])
    bot = await world.start_bot()
    await world.video(world.alice)  # the default model (Kling 1.6) has Extend
    thread_id = await _thread(world)
    for count in (1, 2):
        result = (await world.wait_result(thread_id, count))[-1]
        await world.wait_delivered(bot, count)
        assert custom_ids(result)[0].startswith("kling:extend:")
        await world.discord.click(world.alice.user.id, int(result["id"]),
                                  custom_ids(result)[0])
    last = (await world.wait_result(thread_id, 3))[-1]
    [newest] = [j for j in await world.wait_delivered(bot, 3)
                if j.state is JobState.DELIVERED and f"kling:join:{j.id}" in custom_ids(last)]
    join = await world.discord.click(world.alice.user.id, int(last["id"]),
                                     f"kling:join:{newest.id}")
    assert "The story is joined" in await world.wait_private_reply(join, timeout=60)
    [story] = _files(world, thread_id, f"story-{newest.id}.mp4")
    played = play(_saved(world, story, tmp_path / "story.mp4"))
    assert played.seconds == pytest.approx(7 + 2, abs=0.15)  # not 3 + 7 + 2
    assert played.audio  # the silent last part gets silence, the others keep their tone
    assert "2 parts" in story["content"]


async def _a_boat(world: World, videos: dict[str, Path]
                 ) -> tuple[KlingBot, int, dict[str, Any]]:
    """Alice's 3 s video on a model without Extend, delivered: the bot, the thread, the
    result message (its first buttons Continue and Continue with a new prompt)."""
    world.kling.video_file = videos["3s"]
    bot = await world.start_bot()
    await world.video(world.alice, options={"prompt": "a boat", "model": "kling-v2-6"})
    thread_id = await _thread(world)
    [result] = await world.wait_result(thread_id)
    return bot, thread_id, result


async def test_only_the_requester_or_a_moderator_may_continue(
        world: World, videos: dict[str, Path]) -> None:
    _, thread_id, result = await _a_boat(world, videos)
    stranger = await world.discord.click(world.bob.user.id, int(result["id"]),
                                         custom_ids(result)[0])
    assert "Only the person who asked" in await world.wait_private_reply(stranger)
    assert _files(world, thread_id, ".jpg") == [] and len(world.kling.tasks) == 1


async def test_a_member_who_cannot_pay_is_refused_before_the_frame_is_posted(
        world: World, videos: dict[str, Path]) -> None:
    """Continue posts its frame for everyone before it can reserve: a member without the
    credits hears so privately first, and nothing appears in the thread."""
    bot, thread_id, result = await _a_boat(world, videos)
    [job] = await world.wait_delivered(bot)
    await bot.engine.store.set_member_limit(world.discord.guild_id, world.alice.user.id,
                                            job.cost)  # all spent on the first part
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      custom_ids(result)[0])
    assert "credits" in await world.wait_private_reply(click, timeout=30)
    assert _files(world, thread_id, ".jpg") == [] and len(world.kling.tasks) == 1


async def test_continue_with_a_new_prompt_asks_for_it_in_a_modal(
        world: World, videos: dict[str, Path]) -> None:
    _, thread_id, result = await _a_boat(world, videos)
    opened = await world.discord.click(world.alice.user.id, int(result["id"]),
                                       custom_ids(result)[1])
    response = await world.discord.wait_for_response(opened)
    assert response.type == 9 and response.data["title"] == "Continue the video"
    inputs = [c["custom_id"] for row in response.data["components"]
              for c in (row.get("components") or [row.get("component")])]
    submitted = await world.discord.submit_modal(world.alice.user.id, opened,
                                                 response.data["custom_id"],
                                                 {inputs[0]: "the boat sails into a storm"})
    assert "on its way" in await world.wait_private_reply(submitted, timeout=30)
    task = await world.kling_task(2)
    assert task is not None and task.request["prompt"] == "the boat sails into a storm"
    [frame] = _files(world, thread_id, ".jpg")
    assert task.request["start_image_url"] == frame["attachments"][0]["url"]
    await world.wait_result(thread_id, 2)


async def test_continue_under_a_long_story_starts_from_its_last_shot(
        world: World, videos: dict[str, Path]) -> None:
    """A story's shots joined are longer than any one prompt may be: Continue starts from its
    last shot, not from a prompt the member never typed (and could not have)."""
    world.kling.video_file = videos["3s"]
    bot = await world.start_bot()
    opened = await world.video(world.alice, "story", {"model": "kling-v3", "duration": 6})
    modal = (await world.discord.wait_for_response(opened)).data
    [field] = [c["custom_id"] for row in modal["components"]
               for c in (row.get("components") or [row.get("component")])]
    shots = [f"shot {n}: " + "a long slow pan over the harbour at dawn, " * 11
             for n in range(1, 7)]
    submit = await world.discord.submit_modal(world.alice.user.id, opened, modal["custom_id"],
                                              {field: "\n".join(shots)})
    assert "on its way" in await world.wait_private_reply(submit)
    thread_id = await _thread(world)
    [result] = await world.wait_result(thread_id)
    [story] = await world.wait_delivered(bot)
    assert len(story.prompt) > 2500
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      f"kling:continue:{story.id}")
    assert "on its way" in await world.wait_private_reply(click, timeout=30)
    task = await world.kling_task(2)
    assert task is not None and task.request["action"] == "image2video"
    assert task.request["prompt"] == shots[-1].strip()
    await world.wait_result(thread_id, 2)


async def test_a_continue_above_the_price_threshold_posts_its_frame_only_once_confirmed(
        world: World, videos: dict[str, Path]) -> None:
    """The last frame is posted for everyone in the thread: only for a Continue the member
    confirmed and that was reserved. Two cancelled offers leave nothing behind."""
    world.kling.video_file = videos["3s"]
    bot = await world.start_bot()
    await world.video(world.alice, options={"prompt": "a boat", "model": "kling-v2-6",
                                            "mode": "pro"})  # 2 credits
    thread_id = await _thread(world)
    [result] = await world.wait_result(thread_id)
    [source] = await world.wait_delivered(bot)
    limits = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                       world.moderator.user.id, "klingbot",
                                       ["settings", "limits"], {"confirm_above": 1})
    assert "`confirm_above`: 1" in await world.wait_private_reply(limits)

    async def offer() -> dict[str, Any]:
        click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                          f"kling:continue:{source.id}")
        return dict(await world.discord.wait_until(
            lambda: next((m for m in world.discord.interaction_messages(click)
                          if custom_ids(m)), None), 30, "the price to confirm"))

    async def press(message: dict[str, Any], label: str) -> None:
        [button] = [c for row in message["components"] for c in row["components"]
                    if c.get("label") == label]
        await world.discord.click(world.alice.user.id, int(message["id"]), button["custom_id"])
        await world.discord.wait_until(
            lambda: not custom_ids(world.discord.messages[int(message["id"])]), 10,
            "the offer answered")

    for _ in range(2):
        await press(await offer(), "Cancel")
    await bot.engine.jobs.idle()
    assert _files(world, thread_id, ".jpg") == [] and len(world.kling.tasks) == 1
    assert await bot.engine.store.count_by_state() == {"delivered": 1}
    assert await bot.engine.store.credits_spent(world.discord.guild_id, world.alice.user.id,
                                                0) == source.cost

    await press(await offer(), "Confirm")
    task = await world.kling_task(2)
    [frame] = await world.discord.wait_until(lambda: _files(world, thread_id, ".jpg"), 10,
                                             "the last frame in the thread")
    assert task is not None and task.request["start_image_url"] == \
        frame["attachments"][0]["url"]
    await world.wait_result(thread_id, 2)
    assert len(await world.wait_delivered(bot, 2)) == 2
    assert _files(world, thread_id, ".jpg") == [frame]


async def test_a_continue_the_server_cap_refuses_leaves_no_frame_behind(
        world: World, videos: dict[str, Path]) -> None:
    """The member can pay, but the server's cap for the period cannot: the reservation refuses
    the Continue after its frame was taken. The frame is withdrawn, as if never posted, and
    the member is told why privately."""
    world.kling.video_file = videos["3s"]
    bot = await world.start_bot()
    await world.video(world.alice, options={"prompt": "a boat", "model": "kling-v2-6",
                                            "mode": "pro"})  # 2 credits
    thread_id = await _thread(world)
    [result] = await world.wait_result(thread_id)
    [source] = await world.wait_delivered(bot)
    cap = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                    world.moderator.user.id, "quota", ["server"],
                                    {"credits": source.cost})  # spent already
    await world.wait_private_reply(cap)
    click = await world.discord.click(world.alice.user.id, int(result["id"]),
                                      f"kling:continue:{source.id}")
    refusal = await world.wait_private_reply(click)
    assert "server" in refusal.lower()
    await bot.engine.jobs.idle()
    await asyncio.sleep(0.5)  # a frame posted meanwhile would be in the thread by now
    assert _files(world, thread_id, ".jpg") == [] and len(world.kling.tasks) == 1


async def _three_parts(world: World, videos: dict[str, Path]
                       ) -> tuple[KlingBot, int, list[tuple[dict[str, Any], str]]]:
    """Alice's video extended twice, delivered: (result message, job id) of each part."""
    world.kling.queue_video_files(videos["3s"], videos["2s"], videos["2s"])
    bot = await world.start_bot()
    await world.video(world.alice)
    thread_id = await _thread(world)
    for count in (1, 2):
        result = (await world.wait_result(thread_id, count))[-1]
        await world.wait_delivered(bot, count)
        await world.discord.click(world.alice.user.id, int(result["id"]),
                                  custom_ids(result)[0])
    results = await world.wait_result(thread_id, 3)
    jobs = await world.wait_delivered(bot, 3)
    parts = []
    for message in results:
        [join_id] = [c for c in custom_ids(message) if c.startswith("kling:join:")] or [""]
        parts.append((message, join_id))
    assert [j.state for j in jobs] == [JobState.DELIVERED] * 3
    return bot, thread_id, parts


async def test_joins_beyond_the_limit_are_refused_busy_and_the_disk_stays_bounded(
        world: World, videos: dict[str, Path]) -> None:
    """At most JOIN_CONCURRENCY Joins run at once (one a member): a press beyond it is refused
    privately, nothing is posted for it, and the bot's temporary folder holds at most the
    running Join's parts and its story (no Join downloads its parts while another encodes)."""
    bot, thread_id, parts = await _three_parts(world, videos)
    folder = bot.engine.videos.directory
    most = 0
    done = False

    async def watch() -> None:
        nonlocal most
        while not done:
            if folder.exists():
                most = max(most, sum(1 for p in folder.rglob("*") if p.is_file()))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    presses = [await world.discord.click(world.alice.user.id, int(message["id"]), join_id)
               for message, join_id in parts[1:]]
    replies = [await world.wait_private_reply(press, timeout=60) for press in presses]
    done = True
    await watcher
    assert sum("The story is joined" in reply for reply in replies) == 1, replies
    assert sum("busy" in reply and "try again in a moment" in reply
               for reply in replies) == 1, replies
    stories = [m for m in world.discord.messages_in(thread_id)
               if any(a["filename"].startswith("kling-story-") for a in m["attachments"])]
    assert len(stories) == 1, "only one story is posted"
    assert most <= 3 + 1, f"{most} files in the temporary folder at once"
    # The refused press left no claim: pressed again, it joins its story.
    [(message, join_id)] = [part for part, reply in zip(parts[1:], replies, strict=True)
                            if "busy" in reply]
    again = await world.discord.click(world.alice.user.id, int(message["id"]), join_id)
    assert "The story is joined" in await world.wait_private_reply(again, timeout=60)

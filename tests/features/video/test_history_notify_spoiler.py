"""Small things members ask for, through the real bot and the fake Discord:
/video history (paged, private, only its asker turns the pages; moderators see a member's in
/quota show), /video notify (a DM with a jump link; closed DMs skipped silently), and the
spoiler option (the upload named SPOILER_..., a link wrapped in || ||)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import pytest

from bot.discord.client import KlingBot
from bot.discord.ui import history
from bot.store import Job, JobState
from testkit.fakes.discord import MIB, Member
from tests.discord_support import World, components_of

pytestmark = pytest.mark.timeout(60)

JUMP = re.compile(r"https://discord\.com/channels/(\d+)/(\d+)/(\d+)")


def stored_job(world: World, member: Member, number: int, **fields: Any) -> Job:
    """A job as the bot would have stored it, made `number` minutes after the first."""
    created = time.time() - 3600 + number * 60
    values: dict[str, Any] = {
        "id": uuid.uuid4().hex[:20], "guild_id": world.discord.guild_id,
        "channel_id": world.discord.channel_id, "user_id": member.user.id,
        "state": JobState.DELIVERED, "action": "text2video", "model": "kling-v1",
        "mode": "std", "duration": 5, "prompt": f"job number {number:02d}", "request": {},
        "cost": 1, "callback_token": uuid.uuid4().hex, "created_at": created,
        "updated_at": created, "deadline_at": created + 600}
    values.update(fields)
    return Job(**values)


async def store_jobs(bot: KlingBot, jobs: list[Job]) -> None:
    for job in jobs:
        reservation = await bot.engine.store.reserve_job(job, limit=10_000, period_start=0.0,
                                                         server_cap=None)
        assert reservation.accepted


def page_of(message: dict[str, Any]) -> tuple[list[str], str]:
    """The job prompts a history page lists, and its footer."""
    embed = message["embeds"][0]
    return re.findall(r"job number (\d\d)", embed["description"]), embed["footer"]["text"]


def button(message: dict[str, Any], label: str) -> dict[str, Any]:
    return next(c for c in components_of(message) if c.get("label") == label)


async def open_history(world: World, member: Member, command: str = "video",
                       options: dict[str, Any] | None = None) -> dict[str, Any]:
    sub = "history" if command == "video" else "show"
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, command, [sub], options or {})
    response = await world.discord.wait_for_response(inter)
    assert response.type == 4 and response.ephemeral
    assert inter.original_message_id is not None
    return dict(world.discord.messages[inter.original_message_id])


async def press(world: World, member: Member, message: dict[str, Any], label: str) -> Any:
    inter = await world.discord.click(member.user.id, int(message["id"]),
                                      button(message, label)["custom_id"])
    await world.discord.wait_for_response(inter)
    return inter


@pytest.mark.usefixtures("no_bot_errors")
async def test_history_pages_through_25_jobs_and_only_its_asker_turns_them(
        world: World) -> None:
    bot = await world.start_bot()
    alice = world.alice
    jobs = [stored_job(world, alice, n) for n in range(1, 28)]  # 27: the newest 25 are shown
    jobs[26] = stored_job(world, alice, 27, thread_id=555, result_message_id=777)
    jobs[25] = stored_job(world, alice, 26, state=JobState.FAILED, result_message_id=None,
                          status_message_id=888)
    jobs[24] = stored_job(world, alice, 25, spoiler=True)
    await store_jobs(bot, [*jobs, stored_job(world, world.bob, 99)])

    first = await open_history(world, alice)
    shown, footer = page_of(first)
    assert shown == [f"{n:02d}" for n in range(27, 12, -1)] and footer == "Page 1 of 2"
    lines = first["embeds"][0]["description"].splitlines()
    guild = world.discord.guild_id
    # The delivered job links to its result in its thread; the failed one to its card.
    assert f"https://discord.com/channels/{guild}/555/777" in lines[1] and "✅" in lines[1]
    assert "`kling-v1`" in lines[1] and "1 credit" in lines[1]
    assert f"/{world.discord.channel_id}/888" in lines[2] and "refunded" in lines[2]
    assert "0 credits" in lines[2]
    assert "||job number 25||" in lines[3]
    assert button(first, "Previous").get("disabled") and not button(first, "Next").get(
        "disabled")

    # Someone else cannot turn the pages (told privately); the list stays as it was.
    refused = await press(world, world.bob, first, "Next")
    assert "Only the person who asked" in await world.wait_private_reply(refused)
    assert page_of(world.discord.messages[int(first["id"])])[1] == "Page 1 of 2"

    turned = await press(world, alice, first, "Next")
    assert world.discord.interaction_responses(turned)[0].type == 7  # the list, updated
    second = world.discord.messages[int(first["id"])]
    shown, footer = page_of(second)
    assert shown == [f"{n:02d}" for n in range(12, 2, -1)] and footer == "Page 2 of 2"
    assert button(second, "Next").get("disabled")
    await press(world, alice, second, "Previous")
    assert page_of(world.discord.messages[int(first["id"])])[1] == "Page 1 of 2"


@pytest.mark.usefixtures("no_bot_errors")
async def test_history_buttons_are_greyed_out_when_they_stop_answering(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "PAGER_TIMEOUT", 0.3)
    bot = await world.start_bot()
    await store_jobs(bot, [stored_job(world, world.alice, n) for n in range(1, 20)])
    message = await open_history(world, world.alice)
    assert not button(message, "Next").get("disabled")
    await world.discord.wait_until(
        lambda: button(world.discord.messages[int(message["id"])], "Next").get("disabled"),
        5, "the buttons greyed out")
    assert page_of(world.discord.messages[int(message["id"])])[1] == "Page 1 of 2"


@pytest.mark.usefixtures("no_bot_errors")
async def test_history_of_a_member_without_jobs_says_so_without_buttons(world: World) -> None:
    await world.start_bot()
    message = await open_history(world, world.bob)
    assert "No videos yet" in message["embeds"][0]["description"]
    assert components_of(message) == []


@pytest.mark.usefixtures("no_bot_errors")
async def test_moderators_see_a_members_history_in_quota_show(world: World) -> None:
    bot = await world.start_bot()
    alice, mod = world.alice, world.moderator
    await store_jobs(bot, [stored_job(world, alice, n) for n in range(1, 21)])
    shown = await open_history(world, mod, "quota", {"member": alice.user.id})
    # The member's credits and moderator history first, as before; their videos below.
    assert shown["content"].startswith(f"<@{alice.user.id}>: **")
    assert "Their recent videos are below" in shown["content"]
    prompts, footer = page_of(shown)
    assert prompts[0] == "20" and footer == "Page 1 of 2"
    assert f"<@{alice.user.id}>" in shown["embeds"][0]["description"]
    # The member cannot turn the moderator's pages; the moderator can.
    refused = await press(world, alice, shown, "Next")
    assert "Only the person who asked" in await world.wait_private_reply(refused)
    await press(world, mod, shown, "Next")
    assert page_of(world.discord.messages[int(shown["id"])])[0] == [
        f"{n:02d}" for n in range(5, 0, -1)]


async def notify(world: World, member: Member, setting: str) -> str:
    inter = await world.video(member, "notify", {"setting": setting})
    return await world.wait_private_reply(inter)


async def video_delivered(world: World, bot: KlingBot, member: Member, count: int = 1,
                          **options: Any) -> tuple[Job, dict[str, Any]]:
    await world.video(member, options={"prompt": "a fox in the snow", **options})
    jobs = await world.wait_delivered(bot, count)
    job = max(jobs, key=lambda j: j.created_at)
    assert job.result_message_id is not None
    return job, world.discord.messages[job.result_message_id]


@pytest.mark.usefixtures("no_bot_errors")
async def test_notify_on_sends_a_dm_with_a_jump_link_to_the_result(world: World) -> None:
    bot = await world.start_bot()
    assert "direct message" in await notify(world, world.alice, "on")
    job, result = await video_delivered(world, bot, world.alice)
    [dm] = await world.discord.wait_until(
        lambda: world.discord.dm_messages(world.alice.user.id) or None, 10, "a DM")
    assert "Your video is ready" in dm["content"] and "a fox in the snow" in dm["content"]
    guild, channel, message = JUMP.search(dm["content"]).groups()  # type: ignore[union-attr]
    assert (int(guild), int(channel), int(message)) == (
        world.discord.guild_id, int(result["channel_id"]), int(result["id"]))
    assert job.thread_id == int(channel)
    # The bot opened the DM channel the way Discord has it done.
    assert world.discord.requests_to("POST", r"^/users/@me/channels$")


@pytest.mark.usefixtures("no_bot_errors")
async def test_notify_off_and_never_set_send_no_dm(world: World) -> None:
    bot = await world.start_bot()
    await notify(world, world.alice, "on")
    assert "No more direct messages" in await notify(world, world.alice, "off")
    await video_delivered(world, bot, world.alice)
    await video_delivered(world, bot, world.bob, count=2)
    assert world.discord.dm_messages(world.alice.user.id) == []
    assert world.discord.dm_messages(world.bob.user.id) == []
    assert not world.discord.requests_to("POST", r"^/users/@me/channels$")


@pytest.mark.usefixtures("no_bot_errors")
async def test_closed_dms_are_skipped_silently(world: World) -> None:
    bot = await world.start_bot()
    world.discord.close_dms(world.alice.user.id)
    await notify(world, world.alice, "on")
    job, result = await video_delivered(world, bot, world.alice)
    # Discord refused the DM (403, 50007); the delivery went on as if nothing happened.
    refused = await world.discord.wait_until(
        lambda: [r for r in world.discord.requests_to("POST", r"^/channels/\d+/messages$")
                 if r.status == 403] or None, 10, "the refused DM")
    assert len(refused) == 1
    assert world.discord.dm_messages(world.alice.user.id) == []
    assert job.state is JobState.DELIVERED and result["attachments"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_notify_tells_of_a_failure_too(world: World) -> None:
    bot = await world.start_bot()
    await notify(world, world.alice, "on")
    world.kling.fail_tasks = True
    await world.video(world.alice)

    async def failed() -> list[Job]:
        return await bot.engine.store.jobs_in_state((JobState.FAILED,))

    from tests.support import eventually
    [job] = await eventually(failed, 15)
    [dm] = await world.discord.wait_until(
        lambda: world.discord.dm_messages(world.alice.user.id) or None, 10, "a DM")
    assert "could not be made" in dm["content"] and "Nothing was charged" in dm["content"]
    assert f"/{job.channel_id}/{job.status_message_id}" in dm["content"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_spoiler_result_is_an_attachment_named_spoiler(world: World) -> None:
    bot = await world.start_bot()
    job, result = await video_delivered(world, bot, world.alice, spoiler=True)
    assert job.spoiler
    [attachment] = result["attachments"]
    assert attachment["filename"] == f"SPOILER_kling-{job.id}.mp4"
    # The prompt is hidden too: behind a spoiler on the card and under the video, and not
    # the thread's name.
    assert world.card()["embeds"][0]["description"] == "||a fox in the snow||"
    assert result["embeds"][0]["description"] == "||a fox in the snow||"
    assert "fox" not in world.discord.channels[job.thread_id].name
    # Without the option the result is shown as usual.
    plain, result = await video_delivered(world, bot, world.alice, count=2)
    assert not plain.spoiler
    assert result["attachments"][0]["filename"] == f"kling-{plain.id}.mp4"


@pytest.mark.usefixtures("no_bot_errors")
async def test_spoiler_link_is_wrapped_when_the_video_is_too_large(world: World) -> None:
    bot = await world.start_bot()
    world.kling.video_size = 11 * MIB  # the guild's limit is 10 MiB (no boost)
    job, result = await video_delivered(world, bot, world.alice, spoiler=True)
    assert result["attachments"] == []
    assert f"||{job.video_url}||" in result["content"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_spoiler_videos_dm_and_history_links_are_spoilers(world: World) -> None:
    """The DM notice and the history list hide a spoiler video's link as the post hides the
    video (behind || ||); a plain video's links stay as they are."""
    bot = await world.start_bot()
    await notify(world, world.alice, "on")
    _, result = await video_delivered(world, bot, world.alice, spoiler=True)
    [dm] = await world.discord.wait_until(
        lambda: world.discord.dm_messages(world.alice.user.id) or None, 10, "a DM")
    link = f"https://discord.com/channels/{world.discord.guild_id}/{result['channel_id']}/" \
           f"{result['id']}"
    assert f"||{link}||" in dm["content"]
    assert "fox" not in dm["content"].replace(f"||{link}||", "").replace("||a fox", "")
    _, plain_result = await video_delivered(world, bot, world.alice, count=2)
    listed = (await open_history(world, world.alice))["embeds"][0]["description"]
    spoiler_line = next(line for line in listed.splitlines() if str(result["id"]) in line)
    assert f"||[open]({link})||" in spoiler_line
    plain_line = next(line for line in listed.splitlines() if str(plain_result["id"]) in line)
    assert "||[open]" not in plain_line
    dms = await world.discord.wait_until(
        lambda: world.discord.dm_messages(world.alice.user.id)[1:] or None, 10, "a second DM")
    assert f"/{plain_result['id']}" in dms[0]["content"]
    assert "||https://discord.com/channels" not in dms[0]["content"]

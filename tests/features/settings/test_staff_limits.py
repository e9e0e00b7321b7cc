"""Staff control over what members may ask for and what it costs, through the fake Discord and
the fake Kling: moderators forbid models, 4K, sound and long videos, a member's forbidden choice
is refused in plain words with nothing reserved, the server's defaults stay allowed, and a job
priced above the server's threshold waits for the member's Confirm (Cancel or no answer: nothing
reserved; a double click: one job)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.discord.client import KlingBot
from bot.store import LedgerStatus
from testkit.fakes.discord import Member
from testkit.store_reads import ledger_entry
from tests.discord_support import World, components_of
from tests.settings_commands import settings_calls

pytestmark = pytest.mark.timeout(60)

PRICEY = {"prompt": "a storm at sea", "mode": "pro", "duration": 10}  # 4 credits
CHEAP = {"prompt": "a quiet pond"}  # kling-v1-6 std 5 s: 1 credit


async def settings_by(world: World, options: dict[str, Any]) -> str:
    """A moderator sets `options` with the `/klingbot settings` subcommands that take them;
    the last one's answer."""
    reply = ""
    for path, given in settings_calls(options):
        inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                          world.moderator.user.id, "klingbot", path, given)
        reply = await world.wait_private_reply(inter)
    return reply


async def nothing_reserved(world: World, bot: KlingBot, member: Member) -> None:
    """No job row, no credit held, no create sent to Kling."""
    await bot.engine.jobs.idle()
    assert await bot.engine.store.count_by_state() == {}
    assert await bot.engine.store.credits_spent(world.discord.guild_id, member.user.id, 0) == 0
    assert world.kling.create_count == 0


@pytest.mark.usefixtures("no_bot_errors")
async def test_each_forbidden_choice_is_refused_with_its_reason_and_costs_nothing(
        world: World) -> None:
    bot = await world.start_bot()
    shown = await settings_by(world, {"forbid_model": "kling-v3", "allow_4k": False,
                                      "allow_audio": False, "max_duration": 5})
    assert "`forbidden_models`: `kling-v3`" in shown
    assert "`allow_4k`: forbidden" in shown and "`max_duration`: 5" in shown
    refusals = {
        "model": ({"model": "kling-v3"}, "This server does not allow `kling-v3`"),
        "4k": ({"model": "kling-v3-omni", "mode": "4k"}, "does not allow 4K videos"),
        "sound": ({"model": "kling-v3-omni", "audio": True},
                  "This server does not allow videos with sound: leave `audio` off"),
        "always sound": ({"model": "kling-v3-turbo"},
                         "does not allow videos with sound, and `kling-v3-turbo` always makes "
                         "sound"),
        "length": ({"duration": 10}, "at most 5 seconds, not 10"),
    }
    for what, (options, reason) in refusals.items():
        inter = await world.video(world.alice, options={"prompt": "a fox", **options})
        assert reason in await world.wait_private_reply(inter), what
    await nothing_reserved(world, bot, world.alice)
    # What the limits allow still runs.
    inter = await world.video(world.alice, options={"prompt": "a fox", "model": "kling-v3-omni",
                                                    "mode": "pro"})
    assert "on its way" in await world.wait_private_reply(inter)
    assert (await world.kling_task()).request["model"] == "kling-v3-omni"


@pytest.mark.usefixtures("no_bot_errors")
async def test_allowing_again_lifts_the_limit_and_every_change_is_in_the_audit_log(
        world: World) -> None:
    await world.start_bot()
    log_channel = await world.discord.add_channel(world.discord.guild_id, "mod-log")
    await settings_by(world, {"log_channel": log_channel.id})
    await settings_by(world, {"forbid_model": "kling-video-o1", "confirm_above": 3,
                              "reason": "too pricey"})
    shown = await settings_by(world, {"allow_model": "kling-o1", "confirm_above": 0})
    assert "`forbidden_models`: —" in shown and "`confirm_above`: —" in shown
    inter = await world.video(world.alice, options={"prompt": "a fox", "model": "kling-o1"})
    assert "on its way" in await world.wait_private_reply(inter)

    def posted() -> list[str] | None:
        texts = [m["content"] for m in world.discord.messages_in(log_channel.id)]
        return texts if len(texts) >= 5 else None
    audit = "\n".join(await world.discord.wait_until(posted, 10, "five audit entries"))
    assert "set forbidden models" in audit and "kling-o1" in audit and "too pricey" in audit
    assert "set price confirmation threshold" in audit


@pytest.mark.usefixtures("no_bot_errors")
async def test_the_servers_defaults_can_only_be_allowed_values(world: World) -> None:
    bot = await world.start_bot()
    guild = world.discord.guild_id
    await settings_by(world, {"default_model": "kling-v2-6", "default_duration": 10})
    # Forbidding the default model is refused (not the default cleared): nothing changes.
    refused = await settings_by(world, {"forbid_model": "kling-v2-6"})
    assert "cannot be this server's default model and forbidden at once" in refused
    assert "Nothing was changed" in refused
    # Nor can a forbidden model become the default (one change that does both is refused
    # by the core too: tests/bot/test_settings_changes.py).
    await settings_by(world, {"forbid_model": "kling-v3"})
    refused = await settings_by(world, {"default_model": "kling-v3"})
    assert "`kling-v3` cannot be this server's default model" in refused
    assert "longest allowed (5 seconds)" in await settings_by(world, {"max_duration": 5})
    # A model that always makes sound cannot become the default while sound is forbidden.
    await settings_by(world, {"allow_audio": False})
    assert "always makes sound" in await settings_by(world, {"default_model": "kling-v3-turbo"})
    await settings_by(world, {"allow_audio": True})
    stored = await bot.engine.store.guild_settings(guild)
    assert stored["default_model"] == "kling-v2-6" and stored["forbidden_models"] == ["kling-v3"]
    assert "max_duration" not in stored and stored.get("allow_audio", True) is True


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_forbidden_model_the_member_did_not_pick_gives_way_quietly(world: World) -> None:
    bot = await world.start_bot()
    table = bot.engine.capabilities
    await settings_by(world, {"forbid_model": table.default_model})
    inter = await world.video(world.alice, options={"prompt": "a fox"})
    assert "on its way" in await world.wait_private_reply(inter)
    assert (await world.kling_task()).request["model"] not in (table.default_model, None)


def confirmation_message(world: World, inter: Any) -> dict[str, Any] | None:
    """The private message of `inter` that carries the Confirm and Cancel buttons."""
    return next((m for m in world.discord.interaction_messages(inter)
                 if components_of(m)), None)


async def offered(world: World, inter: Any) -> dict[str, Any]:
    return dict(await world.discord.wait_until(lambda: confirmation_message(world, inter), 10,
                                               "the price to confirm"))


async def press(world: World, member: Member, message: dict[str, Any], label: str) -> Any:
    button = next(c for c in components_of(message) if c.get("label") == label)
    return await world.discord.click(member.user.id, int(message["id"]), button["custom_id"])


async def said(world: World, message: dict[str, Any], words: str) -> str:
    def now() -> str | None:
        content = str(world.discord.messages[int(message["id"])]["content"])
        return content if words in content else None
    return str(await world.discord.wait_until(now, 10, f"a message saying {words!r}"))


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_price_above_the_threshold_is_confirmed_first_then_charged_once(
        world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 3})
    inter = await world.video(world.alice, options=PRICEY)
    message = await offered(world, inter)
    assert message["flags"] & 64  # private
    assert "costs 4 credits" in message["content"] and "`kling-v1-6`, 10 s" in message["content"]
    await nothing_reserved(world, bot, world.alice)  # nothing held while the member decides
    await press(world, world.alice, message, "Confirm")
    assert "Confirmed" in await said(world, message, "Confirmed")
    [job] = await world.wait_delivered(bot)
    assert world.kling.create_count == 1
    assert (job.cost, await ledger_entry(bot.engine.store, job.id)) == \
        (4, (4, LedgerStatus.COMMITTED))
    assert any("on its way" in t for t in world.private_replies(inter))
    assert not components_of(world.discord.messages[int(message["id"])])  # buttons gone
    # The public card follows the private answers, as a follow-up of the command.
    public = [world.discord.messages[i] for i in inter.followup_message_ids
              if not world.discord.messages[i]["flags"] & 64]
    assert len(public) == 1 and public[0]["embeds"][0]["title"]


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_double_click_on_confirm_makes_one_job(world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 3})
    inter = await world.video(world.alice, options=PRICEY)
    message = await offered(world, inter)
    clicks = await asyncio.gather(press(world, world.alice, message, "Confirm"),
                                  press(world, world.alice, message, "Confirm"))
    await world.wait_delivered(bot)
    # Both presses reached the bot: the first updated the message, the second was let be.
    answers = sorted(r.type for c in clicks for r in world.discord.interaction_responses(c))
    assert answers == [6, 7]
    await bot.engine.jobs.idle()
    assert world.kling.create_count == 1
    assert await bot.engine.store.count_by_state() == {"delivered": 1}
    assert await bot.engine.store.credits_spent(world.discord.guild_id,
                                                world.alice.user.id, 0) == 4


@pytest.mark.usefixtures("no_bot_errors")
async def test_cancel_reserves_nothing_and_says_so(world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 3})
    inter = await world.video(world.alice, options=PRICEY)
    message = await offered(world, inter)
    await press(world, world.alice, message, "Cancel")
    assert "nothing was reserved" in await said(world, message, "Cancelled")
    await nothing_reserved(world, bot, world.alice)


@pytest.mark.usefixtures("no_bot_errors")
async def test_no_answer_in_time_reserves_nothing_and_says_so(world: World) -> None:
    bot = await world.start_bot(confirm_timeout=0.5)
    await settings_by(world, {"confirm_above": 3})
    inter = await world.video(world.alice, options=PRICEY)
    message = await offered(world, inter)
    text = await said(world, message, "Not confirmed within 1 second")
    assert "nothing was reserved" in text
    assert not components_of(world.discord.messages[int(message["id"])])
    await nothing_reserved(world, bot, world.alice)


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_price_at_or_below_the_threshold_starts_at_once(world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 1})
    inter = await world.video(world.alice, options=CHEAP)  # 1 credit: not above 1
    assert "on its way" in await world.wait_private_reply(inter)
    assert confirmation_message(world, inter) is None
    await world.wait_delivered(bot)


@pytest.mark.usefixtures("no_bot_errors")
async def test_credits_taken_meanwhile_are_checked_when_confirmed(world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 3})
    inter = await world.video(world.alice, options=PRICEY)
    message = await offered(world, inter)
    limit = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.moderator.user.id, "quota", ["set"],
                                      {"member": world.alice.user.id, "credits": 2})
    await world.wait_private_reply(limit)
    await press(world, world.alice, message, "Confirm")

    def refusal() -> str | None:
        return next((t for t in world.private_replies(inter) if "This job costs" in t), None)
    assert "4 credits" in str(await world.discord.wait_until(refusal, 10, "the refusal"))
    await nothing_reserved(world, bot, world.alice)


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_price_that_rose_while_the_member_decided_is_not_charged(world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 1, "default_duration": 5})
    inter = await world.video(world.alice, options={"prompt": "a fox", "mode": "pro"})
    message = await offered(world, inter)
    assert "costs 2 credits" in message["content"]
    await settings_by(world, {"default_duration": 10})  # the same job now costs 4
    await press(world, world.alice, message, "Confirm")

    def refusal() -> str | None:
        return next((t for t in world.private_replies(inter) if "now costs" in t), None)
    refused = str(await world.discord.wait_until(refusal, 10, "the refusal"))
    assert "4 credits, more than the 2 credits you confirmed" in refused
    await nothing_reserved(world, bot, world.alice)


@pytest.mark.usefixtures("no_bot_errors")
async def test_an_extend_above_the_threshold_is_confirmed_from_its_button(world: World) -> None:
    bot = await world.start_bot()
    await world.video(world.alice, options=PRICEY)  # no threshold yet: starts at once
    [source] = await world.wait_delivered(bot)
    await settings_by(world, {"confirm_above": 1})  # an Extend in pro costs 2
    [result] = [m for m in world.discord.messages.values()
                if f"kling:extend:{source.id}" in str(m.get("components"))]
    extend = await world.discord.click(world.alice.user.id, int(result["id"]),
                                       f"kling:extend:{source.id}")
    message = await offered(world, extend)
    assert "costs 2 credits" in message["content"]
    assert world.kling.create_count == 1  # nothing sent for the Extend yet
    await press(world, world.alice, message, "Confirm")
    await world.wait_delivered(bot, 2)
    assert world.kling.last_task.request["action"] == "extend"
    assert await bot.engine.store.credits_spent(world.discord.guild_id,
                                                world.alice.user.id, 0) == 4 + 2


@pytest.mark.usefixtures("no_bot_errors")
async def test_the_price_and_its_buttons_speak_the_members_language(world: World) -> None:
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 3})
    world.alice.user.locale = "ko"
    inter = await world.video(world.alice, options=PRICEY)
    message = await offered(world, inter)
    assert "크레딧 4개가 필요해요" in message["content"]
    assert [c["label"] for c in components_of(message)] == ["확인", "취소"]
    await press(world, world.alice, message, "취소")
    assert "아무것도 예약되지 않았고" in await said(world, message, "취소했어요")
    await nothing_reserved(world, bot, world.alice)


@pytest.mark.usefixtures("no_bot_errors")
async def test_confirm_reserves_the_model_offered_or_asks_again(world: World) -> None:
    """A confirmation confirms the request as offered: when the server's default model changed
    while the member read the price, Confirm reserves nothing and shows the new offer."""
    bot = await world.start_bot()
    await settings_by(world, {"confirm_above": 3})
    inter = await world.video(world.alice, options=PRICEY)  # the server's default model
    first = await offered(world, inter)
    assert "`kling-v1-6`, 10 s" in first["content"]
    await settings_by(world, {"default_model": "kling-v1"})
    await press(world, world.alice, first, "Confirm")

    def new_offer() -> dict[str, Any] | None:
        return next((m for m in world.discord.interaction_messages(inter)
                     if components_of(m) and m["flags"] & 64 and m["id"] != first["id"]),
                    None)
    second = dict(await world.discord.wait_until(new_offer, 10, "the new offer"))
    assert "`kling-v1`, 10 s" in second["content"] and "changed" in second["content"]
    await nothing_reserved(world, bot, world.alice)
    await press(world, world.alice, second, "Confirm")
    [job] = await world.wait_delivered(bot)
    assert (job.model, world.kling.last_task.request["model"]) == ("kling-v1", "kling-v1")
    assert world.kling.create_count == 1

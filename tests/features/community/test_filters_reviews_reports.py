"""Community moderation through Discord: prompt filters, review mode, reports, gifts and
reaction rewards, each with the audit-log entries it leaves and what the members and moderators
see."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.jobs.review import ReviewDecided
from bot.store import JobState, LedgerStatus
from testkit.fakes.discord import Channel, Member
from testkit.store_reads import ledger_entry, reaction_votes
from tests.discord_support import World, command, custom_ids, log_channel
from tests.support import eventually

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]


def modal_of(world: World, opened: Any) -> tuple[str, str]:
    """The modal the bot answered with: its custom id and its one text input's."""
    modal = world.discord.interaction_responses(opened)[0].data
    [field] = [c["custom_id"] for row in modal["components"]
               for c in (row.get("components") or [row.get("component")])]
    return modal["custom_id"], field


async def click_and_submit(world: World, member: Member, message: dict[str, Any],
                           custom_id: str, reason: str) -> str:
    """Press a button that opens a reason modal, fill it in, submit; the private reply (or
    the refusal the press got instead of the modal)."""
    opened = await world.discord.click(member.user.id, int(message["id"]), custom_id)
    if (await world.discord.wait_for_response(opened)).type != 9:
        return await world.wait_private_reply(opened)
    modal_id, field = modal_of(world, opened)
    submitted = await world.discord.submit_modal(member.user.id, opened, modal_id,
                                                 {field: reason})
    return await world.wait_private_reply(submitted)


async def audit_actions(world: World, bot: Any) -> list[str]:
    entries = await bot.engine.store.audit_entries(world.discord.guild_id, limit=100)
    return [e.action for e in entries]


# -- prompt filters ----------------------------------------------------------------------------

async def test_filters_refuse_the_rule_broken_and_cost_nothing(world: World) -> None:
    bot = await world.start_bot()
    mod, alice = world.moderator, world.alice
    for word in ("fox", "고양이", "badword"):
        assert "Done" in await command(world, mod, "klingbot", ["filter", "add"],
                                       {"word": word})
    assert "Done" in await command(world, mod, "klingbot", ["filter", "add"],
                                   {"word": r"sn[o0]w\s*man", "regex": True})
    refused = await world.wait_private_reply(await world.video(
        alice, options={"prompt": "a FOX in the forest"}))
    assert "“fox”" in refused and "nothing was charged" in refused
    assert "badword" not in refused and "고양이" not in refused  # the rule, not the list
    # Korean: particles attach to the noun, so the word is matched inside 고양이가.
    refused = await world.wait_private_reply(await world.video(
        alice, options={"prompt": "고양이가 눈 위를 걷는다"}))
    assert "고양이" in refused
    # Negative prompts are read too, and a pattern names itself.
    refused = await world.wait_private_reply(await world.video(
        alice, options={"prompt": "a quiet street", "negative_prompt": "a sn0w  man"}))
    assert "negative prompt" in refused and r"/sn[o0]w\s*man/" in refused
    assert world.kling.create_count == 0
    assert await bot.engine.store.credits_spent(world.discord.guild_id, alice.user.id, 0) == 0
    # A plain Latin word matches whole words only.
    ok = await world.wait_private_reply(await world.video(
        alice, options={"prompt": "foxglove flowers"}))
    assert "on its way" in ok
    listed = await command(world, mod, "klingbot", ["filter", "list"])
    assert "`fox`" in listed and r"`/sn[o0]w\s*man/`" in listed
    assert "Done" in await command(world, mod, "klingbot", ["filter", "remove"], {"word": "fox"})
    ok = await world.wait_private_reply(await world.video(alice, options={"prompt": "a fox"}))
    assert "on its way" in ok
    actions = await audit_actions(world, bot)
    assert actions.count("filter_add") == 4 and actions.count("filter_remove") == 1


async def test_unsafe_or_broken_patterns_are_refused_when_added(world: World) -> None:
    bot = await world.start_bot()
    mod = world.moderator
    assert "very slow" in await command(world, mod, "klingbot", ["filter", "add"],
                                        {"word": "(a+)+$", "regex": True})
    assert "very slow" in await command(world, mod, "klingbot", ["filter", "add"],
                                        {"word": r"(\w+)\1", "regex": True})
    assert "not a valid regular expression" in await command(
        world, mod, "klingbot", ["filter", "add"], {"word": "(unclosed", "regex": True})
    assert "no prompt filters" in await command(world, mod, "klingbot", ["filter", "list"])
    assert await audit_actions(world, bot) == []


async def test_invisible_characters_and_look_alikes_are_refused_and_cost_nothing(
        world: World) -> None:
    bot = await world.start_bot()
    mod, alice = world.moderator, world.alice
    for word in ("fox", "고양이"):
        assert "Done" in await command(world, mod, "klingbot", ["filter", "add"],
                                       {"word": word})
    assert "Done" in await command(world, mod, "klingbot", ["filter", "add"],
                                   {"word": r"sn[o0]w\s*man", "regex": True})
    for prompt, rule in (("a fo\u200bx in the forest", "“fox”"),  # zero-width space
                         ("고\u200b양이가 눈 위를 걷는다", "고양이"),
                         ("a f\u043ex at dusk", "“fox”"),  # Cyrillic о
                         ("a sn\u043e\u2060w man", r"/sn[o0]w\s*man/")):  # and a word joiner
        refused = await world.wait_private_reply(await world.video(
            alice, options={"prompt": prompt}))
        assert rule in refused and "nothing was charged" in refused, prompt
    assert world.kling.create_count == 0
    assert await bot.engine.store.credits_spent(world.discord.guild_id, alice.user.id, 0) == 0


async def test_a_pattern_slow_on_a_long_prompt_is_refused_when_added(world: World) -> None:
    """The shape check alone accepts `\\w+\\w+\\w+\\w+\\d`; measured on a long prompt, it is
    refused, and the moderator is told why."""
    bot = await world.start_bot()
    refused = await command(world, world.moderator, "klingbot", ["filter", "add"],
                            {"word": r"\w+\w+\w+\w+\d", "regex": True})
    assert "too slow" in refused and "long prompt" in refused
    assert "no prompt filters" in await command(world, world.moderator, "klingbot",
                                                ["filter", "list"])
    assert await audit_actions(world, bot) == []


# -- review mode -------------------------------------------------------------------------------

async def held_job(world: World, bot: Any, member: Member, prompt: str) -> tuple[Any, dict]:
    """`member` asks for a video under review; the job and its log-channel message."""
    reply = await world.wait_private_reply(await world.video(member, options={"prompt": prompt}))
    assert "waits for a moderator's review" in reply
    [job] = [j for j in await bot.engine.store.jobs_in_state((JobState.REVIEW,))
             if j.prompt == prompt]
    return job, job


async def review_message(world: World, channel: Channel, prompt: str) -> dict[str, Any]:
    return await world.discord.wait_for_message(
        channel.id, lambda m: bool(m["embeds"]) and prompt in str(m["embeds"])
        and bool(custom_ids(m)))


async def test_review_approve_and_reject_with_reason(world: World) -> None:
    bot = await world.start_bot()
    channel = await log_channel(world)
    await command(world, world.moderator, "klingbot", ["settings", "review"],
                  {"review": "untrusted"})
    alice, mod = world.alice, world.moderator
    job, _ = await held_job(world, bot, alice, "a fox under review")
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.HELD)
    await world.wait_card("Waiting for a moderator's review")
    message = await review_message(world, channel, "a fox under review")
    assert f"<@{alice.user.id}>" in str(message["embeds"])
    approve, reject = custom_ids(message)
    assert approve == f"kling:review:approve:{job.id}"
    assert reject == f"kling:review:reject:{job.id}"
    assert world.kling.create_count == 0
    # A member cannot decide.
    denied = await world.discord.click(alice.user.id, int(message["id"]), approve)
    assert "Only moderators" in await world.wait_private_reply(denied)
    click = await world.discord.click(mod.user.id, int(message["id"]), approve)
    assert "Approved" in await world.wait_private_reply(click)
    await world.wait_delivered(bot)
    assert world.kling.create_count == 1
    await world.discord.wait_until(
        lambda: "Approved by a moderator" in str(world.card()["embeds"]), 5, "card approved")
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.COMMITTED)
    await world.discord.wait_until(
        lambda: "Approved by" in str(world.discord.messages[int(message["id"])]["embeds"])
        and not custom_ids(world.discord.messages[int(message["id"])]), 5, "approved")
    # The buttons are gone; a decision that raced it finds the job decided.
    with pytest.raises(ReviewDecided):
        await bot.engine.reviews.reject(job.id, mod.user.id, "late")

    job2, _ = await held_job(world, bot, alice, "a second fox")
    message2 = await review_message(world, channel, "a second fox")
    reply = await click_and_submit(world, mod, message2, f"kling:review:reject:{job2.id}",
                                   "too violent")
    assert "Rejected" in reply
    rejected = await bot.engine.store.get_job(job2.id)
    assert rejected.state is JobState.FAILED
    assert await ledger_entry(bot.engine.store, job2.id) == (job2.cost, LedgerStatus.REFUNDED)
    await world.discord.wait_until(
        lambda: "too violent" in str([m["embeds"] for m in world.discord.messages_in(
            world.discord.channel_id)]), 5, "the card to say why")
    await world.discord.wait_until(
        lambda: any("rejected this video" in m["content"] and "too violent" in m["content"]
                    for m in world.discord.messages.values()), 5, "the member told")
    assert world.kling.create_count == 1
    entries = await bot.engine.store.audit_entries(world.discord.guild_id, alice.user.id)
    assert [e.action for e in entries][:2] == ["review_reject", "review_approve"]
    assert entries[0].reason == "too violent" and entries[0].actor_id == mod.user.id


async def test_review_times_out_with_a_refund_and_survives_a_restart(world: World) -> None:
    bot = await world.start_bot()
    channel = await log_channel(world)
    await command(world, world.moderator, "klingbot", ["settings", "review"],
                  {"review": "new_members", "review_timeout": 5})
    # Joined long ago: not held. Joined today (the fake's default): held.
    world.bob.joined_at = "2020-01-01T00:00:00.000000+00:00"
    assert "on its way" in await world.wait_private_reply(await world.video(world.bob))
    job, _ = await held_job(world, bot, world.alice, "a fox waiting")
    assert 299 <= job.deadline_at - job.created_at <= 301
    message = await review_message(world, channel, "a fox waiting")

    # A restart: the buttons still work.
    await world.stop_bot(bot)
    bot = await world.start_bot()
    job2, _ = await held_job(world, bot, world.alice, "a fox approved after restart")
    message2 = await review_message(world, channel, "a fox approved after restart")
    await world.stop_bot(bot)
    bot = await world.start_bot()
    click = await world.discord.click(world.moderator.user.id, int(message2["id"]),
                                      f"kling:review:approve:{job2.id}")
    assert "Approved" in await world.wait_private_reply(click)

    # Nobody decides on the first: the maintenance beat refunds it at its deadline.
    await bot.engine.store.update(job.id, (JobState.REVIEW,), deadline_at=0.0)
    await bot.engine.maintenance.expire_overdue()
    timed_out = await bot.engine.store.get_job(job.id)
    assert timed_out.state is JobState.FAILED and timed_out.error_code == "review_timeout"
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    await world.discord.wait_until(
        lambda: "No moderator decided in time" in str(
            world.discord.messages[int(message["id"])]["embeds"])
        and not custom_ids(world.discord.messages[int(message["id"])]), 5, "timed out")
    await world.discord.wait_until(
        lambda: any("No moderator reviewed this video within" in m["content"]
                    and "5 minutes" in m["content"]
                    for m in world.discord.messages.values()), 5, "the member told")


async def test_trusted_role_and_staff_are_never_held(world: World) -> None:
    bot = await world.start_bot()
    await log_channel(world)
    trusted = await world.discord.add_role(world.discord.guild_id, "trusted")
    member = await world.discord.add_member(world.discord.guild_id, name="carol",
                                            roles=[trusted.id])
    await command(world, world.moderator, "klingbot", ["settings", "review"],
                  {"review": "untrusted", "trusted_role": trusted.id})
    assert "on its way" in await world.wait_private_reply(await world.video(member))
    assert "on its way" in await world.wait_private_reply(await world.video(world.moderator))
    assert await bot.engine.store.jobs_in_state((JobState.REVIEW,)) == []


async def test_review_needs_a_log_channel(world: World) -> None:
    await world.start_bot()
    reply = await command(world, world.moderator, "klingbot", ["settings", "review"],
                          {"review": "untrusted"})
    assert "log_channel" in reply


# -- reports -----------------------------------------------------------------------------------

async def delivered_result(world: World, bot: Any, member: Member, prompt: str
                           ) -> tuple[Any, dict[str, Any]]:
    await world.wait_private_reply(await world.video(member, options={"prompt": prompt}))

    async def found() -> Any:
        jobs = [j for j in await bot.engine.store.jobs_in_state((JobState.DELIVERED,))
                if j.prompt == prompt]
        return jobs[0] if jobs else None

    job = await eventually(found)
    return job, world.discord.messages[job.result_message_id]


async def report(world: World, reporter: Member, result: dict[str, Any], job_id: str,
                 reason: str) -> str:
    return await click_and_submit(world, reporter, result, f"kling:report:{job_id}", reason)


async def report_message(world: World, channel: Channel, reason: str) -> dict[str, Any]:
    return await world.discord.wait_for_message(
        channel.id, lambda m: bool(m["embeds"]) and reason in str(m["embeds"]))


async def test_report_then_remove_the_video(world: World) -> None:
    bot = await world.start_bot()
    channel = await log_channel(world)
    alice, bob, mod = world.alice, world.bob, world.moderator
    job, result = await delivered_result(world, bot, alice, "a fox to report")
    assert f"kling:report:{job.id}" in custom_ids(result)
    assert "Thank you" in await report(world, bob, result, job.id, "gore")
    assert "already reported" in await report(world, bob, result, job.id, "gore again")
    assert "your own video" in await report(world, alice, result, job.id, "mine")
    posted = await report_message(world, channel, "gore")
    shown = str(posted["embeds"])
    assert "a fox to report" in shown and f"<@{alice.user.id}>" in shown
    assert job.video_url in shown and str(job.result_message_id) in shown
    remove, _block, dismiss = custom_ids(posted)
    assert remove.startswith("kling:report:remove:") and dismiss.startswith(
        "kling:report:dismiss:")
    denied = await world.discord.click(alice.user.id, int(posted["id"]), remove)
    assert "Only moderators" in await world.wait_private_reply(denied)
    click = await world.discord.click(mod.user.id, int(posted["id"]), remove)
    assert "Done" in await world.wait_private_reply(click)
    await world.discord.wait_until(lambda: job.result_message_id not in world.discord.messages,
                                   5, "the result deleted")
    await world.discord.wait_for_message(
        job.post_channel_id, lambda m: "A moderator removed this video" in m["content"])
    await world.discord.wait_until(
        lambda: "removed by" in str(world.discord.messages[int(posted["id"])]["embeds"])
        and not custom_ids(world.discord.messages[int(posted["id"])]), 5, "decided")
    # The requester never sees who reported: nothing outside the log channel names bob.
    for message in world.discord.messages.values():
        if int(message["channel_id"]) != channel.id and not message["flags"] & 64:
            assert str(bob.user.id) not in str(message), message
    assert "report_removed" in await audit_actions(world, bot)


async def test_report_then_block_or_dismiss(world: World) -> None:
    bot = await world.start_bot()
    channel = await log_channel(world)
    alice, bob, mod = world.alice, world.bob, world.moderator
    job, result = await delivered_result(world, bot, alice, "a fox to block")
    await report(world, bob, result, job.id, "spam spam")
    posted = await report_message(world, channel, "spam spam")
    block = next(c for c in custom_ids(posted) if ":block:" in c)
    assert "Done" in await click_and_submit(world, mod, posted, block, "repeated spam")
    blocked = await bot.engine.store.block(world.discord.guild_id, alice.user.id)
    assert blocked is not None and blocked.reason == "repeated spam"
    refused = await world.wait_private_reply(await world.video(alice))
    assert "repeated spam" in refused
    entries = await bot.engine.store.audit_entries(world.discord.guild_id, alice.user.id)
    assert [e.action for e in entries][:2] == ["block", "report_blocked"]
    assert all(e.actor_id == mod.user.id for e in entries[:2])

    job2, result2 = await delivered_result(world, bot, bob, "a harmless fox")
    await report(world, alice, result2, job2.id, "i dislike it")
    posted2 = await report_message(world, channel, "i dislike it")
    dismiss = next(c for c in custom_ids(posted2) if ":dismiss:" in c)
    click = await world.discord.click(mod.user.id, int(posted2["id"]), dismiss)
    assert "Done" in await world.wait_private_reply(click)
    assert job2.result_message_id in world.discord.messages
    assert "report_dismissed" in await audit_actions(world, bot)
    assert await bot.engine.store.block(world.discord.guild_id, bob.user.id) is None


async def test_each_community_decision_posts_one_audit_line(world: World) -> None:
    """A gift and a report's dismissal each leave one line in the log channel, posted once
    whatever path recorded it (the lines come in the order the actions were taken, so once
    the last one is there, every earlier one is too)."""
    bot = await world.start_bot(default_credits_per_day=10)
    channel = await log_channel(world)
    alice, bob, mod = world.alice, world.bob, world.moderator
    await command(world, mod, "klingbot", ["settings", "credits"], {"give_share": 50})
    assert "You gave" in await command(world, alice, "quota", ["give"],
                                       {"member": bob.user.id, "credits": 2})
    job, result = await delivered_result(world, bot, alice, "a fox reported once")
    await report(world, bob, result, job.id, "not a fox")
    posted = await report_message(world, channel, "not a fox")
    dismiss = next(c for c in custom_ids(posted) if ":dismiss:" in c)
    assert "Done" in await world.wait_private_reply(
        await world.discord.click(mod.user.id, int(posted["id"]), dismiss))
    await command(world, mod, "klingbot", ["settings", "credits"], {"give_share": 40})

    def lines() -> list[str]:
        return [m["content"] for m in world.discord.messages_in(channel.id)
                if m["content"].startswith("🛡️")]

    await world.discord.wait_until(lambda: any("50 → 40" in line for line in lines()), 10,
                                   "the last audit line")
    assert len([line for line in lines() if "give credits to" in line]) == 1
    assert len([line for line in lines() if "dismiss report about" in line]) == 1
    assert len(lines()) == 5  # the log channel, the two shares, the gift, the dismissal


# -- gifts and reaction rewards ----------------------------------------------------------------

async def test_quota_give_through_discord(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=10)
    alice, bob, mod = world.alice, world.bob, world.moderator
    give = {"member": bob.user.id, "credits": 3}
    assert "off in this server" in await command(world, alice, "quota", ["give"], give)
    await command(world, mod, "klingbot", ["settings", "credits"], {"give_share": 40})
    assert "You gave" in await command(world, alice, "quota", ["give"], give)
    refused = await command(world, alice, "quota", ["give"], {"member": bob.user.id,
                                                              "credits": 2})
    assert "at most" in refused and "40%" in refused
    assert "**7** of 10" in await command(world, alice, "quota", ["me"])
    assert "**13** of 10" in await command(world, bob, "quota", ["me"])
    entries = await bot.engine.store.audit_entries(world.discord.guild_id, bob.user.id)
    assert [(e.action, e.actor_id, e.new_value) for e in entries] == [
        ("gift", alice.user.id, "3")]


async def test_reaction_rewards_through_the_gateway(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=10)
    alice, bob, mod = world.alice, world.bob, world.moderator
    carol = await world.discord.add_member(world.discord.guild_id, name="carol")
    state = await command(world, mod, "klingbot", ["rewards"],
                          {"emoji": "🔥", "credits": 5, "voters": 2, "max_per_period": 1})
    assert "🔥" in state
    job, result = await delivered_result(world, bot, alice, "a fox people love")
    message_id = int(result["id"])
    assert await world.discord.add_reaction(alice.user.id, message_id, "🔥")  # own: no count
    assert await world.discord.add_reaction(bob.user.id, message_id, "🔥")
    # Taking it away and adding it again does not count twice.
    assert await world.discord.remove_reaction(bob.user.id, message_id, "🔥")
    assert await world.discord.add_reaction(bob.user.id, message_id, "🔥")
    await world.discord.add_reaction(mod.user.id, message_id, "👍")  # another emoji
    store = bot.engine.store

    async def counted(job_id: str, n: int) -> None:
        """Wait for the bot to have counted `n` votes (the gateway is asynchronous), and
        a moment more to be sure no more come."""
        await eventually(lambda: _equals(reaction_votes(store, job_id), n))
        await asyncio.sleep(0.2)
        assert await reaction_votes(store, job_id) == n

    async def votes() -> int:
        return await store.credits_spent(world.discord.guild_id, alice.user.id, 0)

    await counted(job.id, 1)  # bob, once; not alice, not another emoji
    assert await votes() == job.cost  # no reward yet
    await world.discord.add_reaction(carol.user.id, message_id, "🔥")
    await world.discord.wait_for_message(
        job.post_channel_id, lambda m: "bonus credits" in m["content"]
        and f"<@{alice.user.id}>" in m["content"])
    assert await votes() == job.cost - 5
    # The cap: a second loved video pays nothing more this period.
    job2, result2 = await delivered_result(world, bot, alice, "another fox")
    for member in (bob, carol, mod):
        await world.discord.add_reaction(member.user.id, int(result2["id"]), "🔥")
    assert not await world.discord.add_reaction(bob.user.id, message_id, "🔥")  # had it
    await counted(job2.id, 3)
    assert len([m for m in world.discord.messages.values()
                if "bonus credits" in m["content"]]) == 1
    assert await votes() == job.cost + job2.cost - 5


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_a_held_job_whose_moderators_were_never_asked_is_asked_after_a_restart(
        world: World, error_logs: Any) -> None:
    """Discord refused the ask (the log channel was unwritable then): the job still waits,
    credits held, and the next start asks the moderators instead of leaving it to time out."""
    bot = await world.start_bot()
    channel = await log_channel(world)
    await command(world, world.moderator, "klingbot", ["settings", "review"],
                  {"review": "untrusted"})
    # The setting's own audit line reaches the log channel first.
    await world.discord.wait_until(
        lambda: "review mode" in str(world.discord.messages_in(channel.id)), 10, "the audit line")
    world.discord.fail_next("POST", rf"^/channels/{channel.id}/messages$", 403,
                            {"message": "Missing Permissions", "code": 50013})
    job, _ = await held_job(world, bot, world.alice, "a fox nobody was asked about")
    await world.discord.wait_until(
        lambda: any(r.method == "POST" and r.path == f"/channels/{channel.id}/messages"
                    and r.status == 403 for r in world.discord.requests), 10, "the failed ask")
    assert (await bot.engine.store.get_job(job.id)).review_message_id is None
    assert not [m for m in world.discord.messages_in(channel.id) if custom_ids(m)]
    # The operator reads why in the log (the one error this test expects).
    [failed] = [r for r in error_logs.records if r.name == "bot.jobs.review"]
    assert "could not ask the moderators" in failed.getMessage()
    error_logs.records.remove(failed)

    await world.stop_bot(bot)
    bot = await world.start_bot()
    message = await review_message(world, channel, "a fox nobody was asked about")
    assert custom_ids(message) == [f"kling:review:approve:{job.id}",
                                   f"kling:review:reject:{job.id}"]
    stored = await bot.engine.store.get_job(job.id)
    assert stored.state is JobState.REVIEW and stored.review_message_id == int(message["id"])
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.HELD)


async def test_quota_give_to_a_bot_or_a_blocked_member_is_refused(world: World) -> None:
    """Credits given to a bot account or to a blocked member could never be spent: the gift is
    refused with the reason, and the giver keeps every credit."""
    bot = await world.start_bot(default_credits_per_day=10)
    alice, bob, mod = world.alice, world.bob, world.moderator
    helper = await world.discord.add_member(world.discord.guild_id, name="helper", bot=True)
    await command(world, mod, "klingbot", ["settings", "credits"], {"give_share": 50})
    refused = await command(world, alice, "quota", ["give"],
                            {"member": helper.user.id, "credits": 3})
    assert "Bots cannot use credits" in refused
    await command(world, mod, "quota", ["block"], {"member": bob.user.id, "reason": "spam"})
    refused = await command(world, alice, "quota", ["give"],
                            {"member": bob.user.id, "credits": 3})
    assert "That member is blocked" in refused
    assert "**10** of 10" in await command(world, alice, "quota", ["me"])
    actions = await audit_actions(world, bot)
    assert "gift" not in actions


async def test_reactions_by_bots_do_not_count_toward_rewards(world: World) -> None:
    bot = await world.start_bot(default_credits_per_day=10)
    alice, mod = world.alice, world.moderator
    await command(world, mod, "klingbot", ["rewards"],
                  {"emoji": "🔥", "credits": 5, "voters": 1, "max_per_period": 1})
    job, result = await delivered_result(world, bot, alice, "a fox bots love")
    helper = await world.discord.add_member(world.discord.guild_id, name="helper", bot=True)
    assert await world.discord.add_reaction(helper.user.id, int(result["id"]), "🔥")
    await asyncio.sleep(0.5)
    assert await reaction_votes(bot.engine.store, job.id) == 0
    assert not [m for m in world.discord.messages.values() if "bonus credits" in m["content"]]
    # A person's reaction still counts.
    await world.discord.add_reaction(world.bob.user.id, int(result["id"]), "🔥")
    await world.discord.wait_for_message(job.post_channel_id,
                                         lambda m: "bonus credits" in m["content"])

"""Languages through Discord: which language each text is made in.

Private replies follow the member's own Discord language (`locale` in the interaction); public
posts (the card, the thread's messages, the log channel) follow the server's `language` setting,
`auto` being the server's own Discord language. The assertions hold whatever the catalogues'
wording: a text must equal what its key renders in the expected language, and Korean text must
contain Hangul.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.discord.i18n.texts import speaking, text
from bot.discord.interactions import jump_url
from bot.discord.posting.cards import audit_line, settings_line
from bot.store import AuditEntry, Job
from testkit.fakes.discord import AttachmentSpec
from tests.discord_support import World, components_of, custom_ids
from tests.settings_commands import settings_path
from tests.support import eventually

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("no_bot_errors")]

HANGUL = re.compile(r"[가-힣]")
TIMESTAMP = re.compile(r"<t:\d+:R>")
PNG = AttachmentSpec("dog.png", data=b"\x89PNG" + bytes(5000), content_type="image/png",
                     width=800, height=600)


def said(language: str, key: str, **fields: object) -> str:
    """What `key` renders in `language`."""
    with speaking(language):
        return text(key, **fields)


def assert_korean(actual: str, key: str, **fields: object) -> None:
    assert actual == said("ko", key, **fields)
    assert HANGUL.search(actual), actual


def assert_english(actual: str, key: str, **fields: object) -> None:
    assert actual == said("en", key, **fields)
    assert not HANGUL.search(actual), actual


async def slash(world: World, member: Any, name: str, path: list[str],
                options: dict[str, Any]) -> str:
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      member.user.id, name, path, options)
    return await world.wait_private_reply(inter)


async def settings_by(world: World, options: dict[str, Any]) -> str:
    return await slash(world, world.moderator, "klingbot", settings_path(options), options)


def modal_of(world: World, opened: Any) -> tuple[str, str, list[dict[str, Any]]]:
    """The modal a member was shown: its custom id, its title and its text inputs."""
    modal = world.discord.interaction_responses(opened)[0].data
    inputs = [c for row in modal["components"]
              for c in (row.get("components") or [row.get("component")])]
    return modal["custom_id"], modal["title"], inputs


async def delivered_job(world: World, bot: Any, count: int = 1) -> Job:
    """The newest delivered job, once its card shows it delivered."""
    jobs = await world.wait_delivered(bot, count)
    return max(jobs, key=lambda job: job.created_at)


async def result_in(world: World, thread_id: int, job: Job) -> dict[str, Any]:
    return await world.discord.wait_for_message(
        thread_id, lambda m: int(m["id"]) == job.result_message_id)


async def test_each_member_gets_private_replies_in_their_own_language(world: World) -> None:
    alice, bob = world.alice, world.bob
    alice.locale = "ko"  # bob keeps en-US: the same server, another language
    await world.start_bot(default_credits_per_day=10)

    for member, check in ((alice, assert_korean), (bob, assert_english)):
        reply = await slash(world, member, "quota", ["me"], {})
        [reset] = TIMESTAMP.findall(reply)
        source = said("ko" if member is alice else "en", "quota.source.bot")
        check(reply, "quota.me", remaining=10, limit=10, source=source, reset=reset,
              running=0, queued=0)

        inter = await world.video(member)
        reply = await world.wait_private_reply(inter)
        card = await world.discord.wait_for_message(
            world.discord.channel_id, lambda m, who=member: bool(m["embeds"]) and
            f"<@{who.user.id}>" in str(m["embeds"]))
        # The confirmation comes first, then the card as the command's public follow-up.
        check(reply, "ack.started", link=f"<#{world.discord.channel_id}>")
        assert int(card["id"]) in inter.followup_message_ids
        # The card is public: the server's language (English here), whoever asked.
        assert card["embeds"][0]["title"] == said("en", "card.title.text2video")

        # A bad option, answered at once.
        reply = await world.wait_private_reply(await world.video(
            member, options={"prompt": "a fox", "model": "kling-o1", "duration": 10}))
        check(reply, "invalid.duration", model="kling-o1", allowed="5", duration=10)


async def test_refusals_for_credits_and_blocks_follow_the_members_language(
        world: World) -> None:
    alice, bob = world.alice, world.bob
    alice.locale = "ko"
    await world.start_bot()
    for member in (alice, bob):
        await slash(world, world.moderator, "quota", ["set"],
                    {"member": member.user.id, "credits": 0})
    for member, check in ((alice, assert_korean), (bob, assert_english)):
        reply = await world.wait_private_reply(await world.video(member))
        [reset] = TIMESTAMP.findall(reply)
        check(reply, "quota.exceeded", cost=1, remaining=0, limit=0, reset=reset)

    for member, check in ((alice, assert_korean), (bob, assert_english)):
        await slash(world, world.moderator, "quota", ["block"],
                    {"member": member.user.id, "reason": "spam"})
        reply = await world.wait_private_reply(await world.video(member))
        check(reply, "quota.blocked", reason="spam")
    assert world.kling.create_count == 0


async def test_modals_and_button_refusals_follow_the_members_language(world: World) -> None:
    alice, bob = world.alice, world.bob
    alice.locale = "ko"
    bot = await world.start_bot()
    await world.video(alice)
    job = await delivered_job(world, bot)
    assert job.thread_id is not None
    result = await result_in(world, job.thread_id, job)

    # Extend with a new prompt: the modal in alice's language, the result still English.
    opened = await world.discord.click(alice.user.id, int(result["id"]), custom_ids(result)[1])
    await world.discord.wait_for_response(opened)
    modal_id, title, [prompt, length] = modal_of(world, opened)
    assert_korean(title, "modal.extend.title")
    assert_korean(prompt["label"], "modal.prompt.label")
    assert_korean(prompt["placeholder"], "modal.prompt.placeholder")
    assert_korean(length["label"], "modal.extend.length.label", allowed="5 또는 10")
    submit = await world.discord.submit_modal(alice.user.id, opened, modal_id,
                                              {prompt["custom_id"]: "the fox dives"})
    assert HANGUL.search(await world.wait_private_reply(submit))

    # The moderator (English) gets the same modal in English.
    opened = await world.discord.click(world.moderator.user.id, int(result["id"]),
                                       custom_ids(result)[1])
    await world.discord.wait_for_response(opened)
    _, title, [prompt, _length] = modal_of(world, opened)
    assert_english(title, "modal.extend.title")
    assert_english(prompt["label"], "modal.prompt.label")

    # A button refusal: bob may not extend alice's video; nor may a Korean stranger.
    refused = await world.discord.click(bob.user.id, int(result["id"]), custom_ids(result)[0])
    assert_english(await world.wait_private_reply(refused), "access.not_yours")
    bob.locale = "ko"
    refused = await world.discord.click(bob.user.id, int(result["id"]), custom_ids(result)[0])
    assert_korean(await world.wait_private_reply(refused), "access.not_yours")


async def test_the_context_menu_modal_and_the_dm_refusal_in_the_members_language(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    alice = world.alice
    alice.locale = "ko"
    await world.start_bot(dev_guild_id=None)  # global commands: the ones DMs could see
    posted = await world.discord.post_user_message(world.discord.channel_id, alice.user.id,
                                                   "my dog", [PNG])
    opened = await world.discord.context_menu(world.discord.guild_id, world.discord.channel_id,
                                              alice.user.id, "Animate with Kling",
                                              int(posted["id"]))
    await world.discord.wait_for_response(opened)
    _, title, [prompt] = modal_of(world, opened)
    assert_korean(title, "modal.animate.title")
    assert_korean(prompt["placeholder"], "modal.animate.placeholder")

    monkeypatch.setattr(world.discord, "command_allowed_in", lambda *args: True)
    dm = await world.discord.open_dm(alice.user.id)
    inter = await world.discord.slash(None, dm.id, alice.user.id, "video", ["text"],
                                      {"prompt": "a fox"})
    assert_korean(await world.wait_private_reply(inter), "dm.refused")


async def check_public_posts(world: World, bot: Any, language: str, *, count: int = 1,
                             action: str = "text2video") -> Job:
    """The card and the result of the `count`th job are in `language`."""
    check = assert_korean if language == "ko" else assert_english
    job = await delivered_job(world, bot, count)
    assert job.thread_id is not None and job.status_message_id is not None
    link = jump_url(job.guild_id, job.post_channel_id, job.result_message_id or 0)

    def card_done() -> dict[str, Any] | None:
        card = world.discord.messages[job.status_message_id or 0]
        fields = [f["value"] for f in card["embeds"][0]["fields"]]
        return card if fields[-1] == said(language, "card.state.delivered", link=link) else None

    card = await world.discord.wait_until(card_done, 5, "the card shows the result")
    embed = card["embeds"][0]
    check(embed["title"], f"card.title.{action}")
    requester, settings, state = (f["value"] for f in embed["fields"])
    check(requester, "card.requester", user_id=job.user_id)
    with speaking(language):
        assert settings == settings_line(job)
    check(state, "card.state.delivered", link=link)

    result = await result_in(world, job.thread_id, job)
    check(result["content"], "result.ready", user_id=job.user_id)
    check(result["embeds"][0]["footer"]["text"], "result.footer", job_id=job.id)
    labels = [c["label"] for c in components_of(result)]
    for label, key in zip(labels, ("button.extend", "button.extend_prompt", "result.open",
                                   "button.report"), strict=True):
        check(label, key)
    return job


async def test_a_server_set_to_korean_posts_in_korean(world: World) -> None:
    bot = await world.start_bot()
    log_channel = await world.discord.add_channel(world.discord.guild_id, "mod-log")
    await settings_by(world, {"log_channel": log_channel.id})
    # The moderator's own reply is in their language (English); the listing names the setting.
    reply = await settings_by(world, {"language": "ko"})
    assert reply.startswith(said("en", "settings.current", lines="").strip())
    assert "`language`: ko" in reply

    # alice speaks English: her reply is English, the server's posts Korean.
    inter = await world.video(world.alice)
    assert not HANGUL.search(await world.wait_private_reply(inter))
    job = await check_public_posts(world, bot, "ko")
    thread = world.discord.channels[job.thread_id or 0]
    assert thread.name == "a fox in the snow"  # the prompt, in any language

    # The log channel: the change to Korean is posted in Korean.
    [entry] = [e for e in await bot.engine.store.audit_entries(world.discord.guild_id)
               if e.action == "set_language"]
    korean = audit_said("ko", entry)
    line = await world.discord.wait_for_message(log_channel.id,
                                                lambda m: m["content"] == korean)
    assert HANGUL.search(line["content"]), line["content"]  # the action is worded in Korean

    # A failure notice in the thread, in Korean; and the Extend's card too.
    world.kling.queue_outcome(False, "the prompt was refused")
    result = await result_in(world, job.thread_id or 0, job)
    await world.discord.click(world.alice.user.id, int(result["id"]), custom_ids(result)[0])
    refund = said("ko", "failed.refunded", cost=1)
    reason = said("ko", "failed.kling", reason="the prompt was refused")
    notice = await world.discord.wait_for_message(
        job.thread_id or 0, lambda m: m["content"].endswith(refund))
    assert_korean(notice["content"], "result.failed", user_id=world.alice.user.id,
                  reason=reason, refund=refund)
    extend_card = await world.discord.wait_for_message(
        job.thread_id or 0, lambda m: bool(m["embeds"]) and bool(m["embeds"][0].get("title")))
    assert_korean(extend_card["embeds"][0]["title"], "card.title.extend")


def audit_said(language: str, entry: AuditEntry) -> str:
    """The audit line of `entry` as a log channel in `language` shows it."""
    with speaking(language):
        return audit_line(entry)


async def test_auto_follows_the_servers_discord_language(world: World) -> None:
    await world.discord.set_guild_locale(world.discord.guild_id, "ko")
    bot = await world.start_bot()
    log_channel = await world.discord.add_channel(world.discord.guild_id, "mod-log")
    reply = await settings_by(world, {"log_channel": log_channel.id})
    assert "`language`: auto → ko" in reply

    # An image without a prompt: the thread is named by the card's title, in Korean.
    inter = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                      world.alice.user.id, "video", ["image"], {},
                                      attachments={"image": PNG})
    assert not HANGUL.search(await world.wait_private_reply(inter))
    job = await check_public_posts(world, bot, "ko", action="image2video")
    assert_korean(world.discord.channels[job.thread_id or 0].name, "card.title.image2video")

    # Set to English, the server's posts are English again, the log line about it too.
    await settings_by(world, {"language": "en"})
    [entry] = [e for e in await bot.engine.store.audit_entries(world.discord.guild_id)
               if e.action == "set_language" and e.new_value == "en"]
    english = audit_said("en", entry)
    line = await world.discord.wait_for_message(log_channel.id,
                                                lambda m: m["content"] == english)
    assert not HANGUL.search(line["content"]), line["content"]
    await world.video(world.alice)
    await check_public_posts(world, bot, "en", count=2)


async def test_a_servers_language_change_in_discord_reaches_its_next_posts(world: World
                                                                           ) -> None:
    bot = await world.start_bot()
    await world.video(world.bob)
    await check_public_posts(world, bot, "en")
    await world.discord.set_guild_locale(world.discord.guild_id, "ko")
    guild = bot.get_guild(world.discord.guild_id)
    assert guild is not None
    await eventually(lambda: str(guild.preferred_locale) == "ko", 5)
    await world.video(world.bob)
    await check_public_posts(world, bot, "ko", count=2)

"""The fake Discord's rate limits, under the real discord.py client: a 429 is retried (and the
context menu still resolves its message), the answers carry Discord's headers, and discord.py
waits out the channel's bucket with every message arriving."""

from __future__ import annotations

import asyncio

import discord
import pytest

from testkit.fakes.discord import FakeDiscord
from tests.testkit.fake_discord.bots import make_bot, running

pytestmark = pytest.mark.timeout(30)


async def test_rate_limit_is_retried_and_context_menu_resolves_message(fake: FakeDiscord) -> None:
    bot = make_bot()
    targets: list[str] = []

    @bot.tree.context_menu(name="Animate with Kling")
    async def animate(interaction: discord.Interaction, message: discord.Message) -> None:
        targets.append(message.content)
        await interaction.response.send_message("on it", ephemeral=True)

    user = await fake.add_member(fake.guild_id, name="gina")
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        fake.fail_next("POST", rf"^/channels/{channel.id}/messages$", 429, retry_after=0.05)
        await channel.send("after a 429")
        statuses = [r.status for r in fake.requests_to("POST", rf"/channels/{channel.id}/")]
        assert statuses == [429, 200]

        await bot.tree.sync()
        target = await fake.post_user_message(channel.id, user.user.id, "a cat on a skateboard")
        inter = await fake.context_menu(fake.guild_id, channel.id, user.user.id,
                                        "Animate with Kling", int(target["id"]))
        assert (await fake.wait_for_response(inter)).ephemeral
    assert targets == ["a cat on a skateboard"]


async def test_rate_limits_answer_with_discords_headers_and_429s(fake: FakeDiscord) -> None:
    """Per channel 5 message creates per window, with the headers Discord sends; the sixth is a
    429 with Discord's body; another channel and the interaction callback are not affected; the
    global limit refuses with its own scope."""
    import aiohttp

    other = await fake.add_channel(fake.guild_id, "other")
    fake.rate_limits.enabled = True
    auth = {"Authorization": f"Bot {fake.bot_token}"}
    async with aiohttp.ClientSession() as http:
        async def post(channel_id: int) -> aiohttp.ClientResponse:
            async with http.post(f"{fake.api_base}/channels/{channel_id}/messages",
                                 json={"content": "hi"}, headers=auth) as resp:
                await resp.read()
                return resp

        answers = [await post(fake.channel_id) for _ in range(6)]
        assert [a.status for a in answers] == [200] * 5 + [429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == \
            ["4", "3", "2", "1", "0"]
        assert answers[0].headers["X-RateLimit-Limit"] == "5"
        assert len({a.headers["X-RateLimit-Bucket"] for a in answers}) == 1
        refused = answers[5]
        body = await refused.json()
        assert body["message"] == "You are being rate limited." and body["global"] is False
        assert 0 < body["retry_after"] <= 5
        assert refused.headers["X-RateLimit-Scope"] == "user"
        assert int(refused.headers["Retry-After"]) >= 1
        assert float(refused.headers["X-RateLimit-Reset-After"]) <= 5
        assert (await post(other.id)).status == 200  # its own channel, its own bucket
        assert len(fake.messages_in(fake.channel_id)) == 5  # the refused one was not posted

        fake.rate_limits.global_limit = 2
        fake.rate_limits.reset()
        statuses = []
        for channel_id in (fake.channel_id, other.id, other.id):
            async with http.get(f"{fake.api_base}/channels/{channel_id}", headers=auth) as resp:
                statuses.append(resp.status)
                last = resp
                payload = await resp.json()
        assert statuses == [200, 200, 429]
        assert payload["global"] is True and last.headers["X-RateLimit-Global"] == "true"
        assert last.headers["X-RateLimit-Scope"] == "global"


async def test_discord_py_waits_out_the_channel_bucket_and_every_message_arrives(
        fake: FakeDiscord) -> None:
    """Seven messages at once in one channel: discord.py meets a 429 or the bucket's headers,
    waits, and all seven arrive, never more than five in one window."""
    fake.rate_limits.enabled = True
    fake.rate_limits.window_scale = 0.2  # 1 s windows: the test does not wait 5 s
    bot = make_bot()
    async with running(bot, fake):
        channel = bot.get_channel(fake.channel_id)
        assert isinstance(channel, discord.TextChannel)
        await asyncio.gather(*(channel.send(f"message {i}") for i in range(7)))
    posts = [r for r in fake.requests_to("POST", rf"^/channels/{fake.channel_id}/messages$")]
    delivered = sorted(r.received_at for r in posts if r.status == 200)
    assert len(delivered) == 7
    assert sorted(m["content"] for m in fake.messages_in(fake.channel_id)) == \
        [f"message {i}" for i in range(7)]
    assert delivered[5] - delivered[0] >= 0.2 * 5 * 0.9  # the sixth waited for the next window

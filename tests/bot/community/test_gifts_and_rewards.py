"""Credits members give each other and earn, through the real core on SQLite and
PostgreSQL: gifts are exact under concurrency with the giver's own spending, never more than
the giver has or the server's share allows, and never let a server spend past its cap;
reaction rewards pay once per result and at most the server's number per period."""

from __future__ import annotations

import asyncio

import pytest

from bot.community.gifts import GiftRefused
from bot.jobs import JobRequest
from bot.kling.options import VideoOptions
from bot.quotas import QuotaExceeded
from bot.store import Job, JobState
from testkit.fakes.kling import FakeKling
from testkit.store_reads import credits_given, server_spent
from tests.conftest import EngineFactory

GUILD = 1
ALICE, BOB, CAROL, DAVE, MOD = 100, 200, 300, 400, 900


def ask(user: int) -> JobRequest:
    """A 1-credit job (std, 5 s)."""
    return JobRequest(guild_id=GUILD, channel_id=10, user_id=user,
                      options=VideoOptions(action="text2video", prompt="a kite",
                                           model="kling-v1", mode="std", duration=5))


async def spent(engine: object, user: int) -> int:
    return await engine.store.credits_spent(GUILD, user, 0.0)  # type: ignore[attr-defined]


async def test_gifts_within_and_beyond_the_share(make_engine: EngineFactory,
                                                 fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, _ = await make_engine(default_credits_per_day=10)
    with pytest.raises(GiftRefused) as off:
        await engine.gifts.give(GUILD, ALICE, (), BOB, 1)
    assert off.value.code == "gift.off"  # the default share is 0
    await engine.moderation.set_setting(GUILD, MOD, "give_share", 50)
    with pytest.raises(GiftRefused) as own:
        await engine.gifts.give(GUILD, ALICE, (), ALICE, 1)
    assert own.value.code == "gift.self"
    entry = await engine.gifts.give(GUILD, ALICE, (), BOB, 3)
    assert (entry.action, entry.actor_id, entry.target_id, entry.new_value) == (
        "gift", ALICE, BOB, "3")
    with pytest.raises(GiftRefused) as share:
        await engine.gifts.give(GUILD, ALICE, (), BOB, 3)
    assert share.value.code == "gift.share" and share.value.params == {"left": 2, "share": 50}
    # The ledger has both sides: alice spent 3, bob has 3 more.
    assert await spent(engine, ALICE) == 3 and await spent(engine, BOB) == -3
    assert await credits_given(engine.store, GUILD, ALICE, 0.0) == 3
    # No one gives more than they have: alice spends 6 of her 7 left, then may give 1 only.
    for _ in range(6):
        await engine.jobs.reserve(ask(ALICE))
    with pytest.raises(GiftRefused) as broke:
        await engine.gifts.give(GUILD, ALICE, (), BOB, 2)
    assert broke.value.code == "gift.remaining" and broke.value.params == {"remaining": 1}
    await engine.gifts.give(GUILD, ALICE, (), BOB, 1)
    with pytest.raises(QuotaExceeded):
        await engine.jobs.reserve(ask(ALICE))
    # Bob can spend his 10 and the 4 he was given.
    for _ in range(14):
        await engine.jobs.reserve(ask(BOB))
    with pytest.raises(QuotaExceeded):
        await engine.jobs.reserve(ask(BOB))


async def test_concurrent_gifts_and_spending_are_exact(make_engine: EngineFactory,
                                                       fake_kling: FakeKling) -> None:
    """Alice gives and spends at the same moment, many times over: every credit is used
    once, the share is never passed, and the ledger adds up on both sides."""
    fake_kling.never_finish = True
    engine, _ = await make_engine(default_credits_per_day=10)
    await engine.moderation.set_setting(GUILD, MOD, "give_share", 60)  # 6 of 10
    gifts = [engine.gifts.give(GUILD, ALICE, (), receiver, 1)
             for receiver in (BOB, CAROL, DAVE) * 10]
    jobs = [engine.jobs.reserve(ask(ALICE)) for _ in range(30)]
    mixed = [coro for pair in zip(gifts, jobs, strict=True) for coro in pair]
    results = await asyncio.gather(*mixed, return_exceptions=True)
    unexpected = [r for r in results if isinstance(r, BaseException)
                  and not isinstance(r, GiftRefused | QuotaExceeded)]
    assert not unexpected, unexpected
    given = sum(1 for r in results[0::2] if not isinstance(r, BaseException))
    reserved = sum(1 for r in results[1::2] if isinstance(r, Job))
    assert given <= 6
    assert given + reserved == 10  # every credit used, none twice
    assert await spent(engine, ALICE) == 10
    received = -sum([await spent(engine, user) for user in (BOB, CAROL, DAVE)])
    assert received == given == await credits_given(engine.store, GUILD, ALICE, 0.0)


async def test_gifts_never_let_the_server_pass_its_cap(make_engine: EngineFactory,
                                                       fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, _ = await make_engine(default_credits_per_day=10)
    await engine.moderation.set_setting(GUILD, MOD, "give_share", 100)
    await engine.moderation.set_server_cap(GUILD, MOD, 12)
    await engine.gifts.give(GUILD, ALICE, (), BOB, 10)
    results = await asyncio.gather(*(engine.jobs.reserve(ask(user))
                                     for user in (BOB, CAROL) * 15), return_exceptions=True)
    accepted = [r for r in results if isinstance(r, Job)]
    assert len(accepted) == 12  # the cap, though bob holds 20 credits and carol 10
    assert await server_spent(engine.store, GUILD, 0.0) == 12


async def test_reaction_rewards_pay_once_per_result_and_per_period_cap(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine(default_credits_per_day=10)
    for key, value in {"reward_emoji": "🔥", "reward_credits": 4, "reward_voters": 2,
                       "reward_max_per_period": 1}.items():
        await engine.moderation.set_setting(GUILD, MOD, key, value)
    first = await engine.jobs.request(ask(ALICE))
    second = await engine.jobs.request(ask(ALICE))

    async def delivered() -> list[Job]:
        jobs = await engine.store.jobs_in_state((JobState.DELIVERED,))
        return jobs if len(jobs) == 2 else []

    from tests.support import eventually
    jobs = {j.id: j for j in await eventually(delivered)}
    a, b = jobs[first.id], jobs[second.id]
    rewards = engine.rewards
    assert await rewards.reaction_added(GUILD, a.result_message_id, ALICE, "🔥") is None  # own
    assert await rewards.reaction_added(GUILD, a.result_message_id, BOB, "👍") is None
    assert await rewards.reaction_added(GUILD, a.result_message_id, BOB, "🔥") is None
    assert await rewards.reaction_added(GUILD, a.result_message_id, BOB, "🔥") is None  # again
    await engine.moderation.block(GUILD, MOD, DAVE, "spam")
    assert await rewards.reaction_added(GUILD, a.result_message_id, DAVE, "🔥") is None
    paid = await rewards.reaction_added(GUILD, a.result_message_id, CAROL, "🔥")
    assert paid is not None and paid.credits == 4 and paid.job.id == a.id
    assert await spent(engine, ALICE) == 2 - 4
    # The second result reaches its votes too, but one reward per period is the cap.
    await rewards.reaction_added(GUILD, b.result_message_id, BOB, "🔥")
    assert await rewards.reaction_added(GUILD, b.result_message_id, CAROL, "🔥") is None
    assert await spent(engine, ALICE) == 2 - 4

"""Credits, limits, moderation and the fair queue, through the real core and the fake Kling."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.discord.i18n.render import failure_reason, sentence
from bot.guild_settings import load_guild_settings
from bot.jobs import JobNotCancellable, JobRequest
from bot.kling.options import VideoOptions
from bot.moderation import Moderation
from bot.quotas import QuotaExceeded
from bot.store import JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import EngineFactory
from tests.support import eventually

GUILD, OTHER_GUILD = 1, 2
ALICE, BOB, CAROL, MOD = 100, 200, 300, 900
ROLE_VIP, ROLE_FAN = 50, 51


class Clock:
    """A clock the test moves by hand; the real event loop still runs the timers."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def ask(user: int, guild: int = GUILD, *, roles: tuple[int, ...] = (), mode: str = "std",
        prompt: str = "a red kite over the sea") -> JobRequest:
    return JobRequest(guild_id=guild, channel_id=10, user_id=user, role_ids=roles,
                      options=VideoOptions(action="text2video", prompt=prompt, mode=mode))


async def spent(engine: object, user: int, guild: int = GUILD) -> int:
    return await engine.store.credits_spent(guild, user, 0.0)  # type: ignore[attr-defined]


async def test_a_burst_of_200_cannot_overspend(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, _ = await make_engine(default_credits_per_day=5)
    results = await asyncio.gather(*(engine.jobs.request(ask(ALICE)) for _ in range(200)),
                                   return_exceptions=True)
    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, QuotaExceeded)]
    assert len(accepted) == 5 and len(refused) == 195
    assert all("<t:" in sentence(r.notice) and "0 of 5" in sentence(r.notice) for r in refused)
    assert await spent(engine, ALICE) == 5
    # Two run (the per-member limit), three wait in the queue; none is lost.
    states = sorted(j.state.value for j in await engine.store.jobs_in_state(
        (JobState.QUEUED, JobState.SUBMITTED)))
    assert states == ["queued"] * 3 + ["submitted"] * 2


async def test_limit_resolution_member_role_server_bot(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.never_finish = True
    engine, _ = await make_engine(default_credits_per_day=3)
    mod = Moderation(engine.store, engine.jobs.quota)
    book = engine.jobs.quota

    async def limit(user: int, roles: tuple[int, ...] = ()) -> tuple[int, str]:
        settings = await load_guild_settings(engine.store, GUILD)
        resolved = await book.limit_for(GUILD, user, roles, settings)
        return resolved.credits, resolved.source

    assert await limit(ALICE) == (3, "bot")
    await mod.set_server_default(GUILD, MOD, 6)
    assert await limit(ALICE) == (6, "server")
    await mod.set_role_limit(GUILD, MOD, ROLE_FAN, 8)
    await mod.set_role_limit(GUILD, MOD, ROLE_VIP, 20)
    assert await limit(ALICE, (ROLE_FAN, ROLE_VIP)) == (20, "role")  # the best role wins
    await mod.set_member_limit(GUILD, MOD, ALICE, 1)
    assert await limit(ALICE, (ROLE_VIP,)) == (1, "member")  # the member's own beats roles
    # The member's own limit is enforced at reservation.
    await engine.jobs.request(ask(ALICE, roles=(ROLE_VIP,)))
    with pytest.raises(QuotaExceeded):
        await engine.jobs.request(ask(ALICE, roles=(ROLE_VIP,)))
    # Other servers keep the bot default.
    other = await book.limit_for(OTHER_GUILD, ALICE, (), await load_guild_settings(
        engine.store, OTHER_GUILD))
    assert (other.credits, other.source) == (3, "bot")


async def test_blocked_member_is_refused_with_the_reason(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine()
    mod = Moderation(engine.store, engine.jobs.quota)
    await mod.block(GUILD, MOD, BOB, "spamming the channel")
    with pytest.raises(QuotaExceeded) as raised:
        await engine.jobs.request(ask(BOB))
    assert "spamming the channel" in sentence(raised.value.notice)
    await engine.jobs.request(ask(BOB, OTHER_GUILD))  # blocks are per server
    await mod.unblock(GUILD, MOD, BOB)
    await engine.jobs.request(ask(BOB))
    assert fake_kling.create_count == 2


async def test_server_cap_stops_that_server_only(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine(default_credits_per_day=10)
    mod = Moderation(engine.store, engine.jobs.quota)
    await mod.set_server_cap(GUILD, MOD, 3)
    await engine.jobs.request(ask(ALICE, mode="pro"))  # 2 credits
    await engine.jobs.request(ask(BOB))  # 1 credit: the cap is reached
    with pytest.raises(QuotaExceeded) as raised:
        await engine.jobs.request(ask(CAROL))
    assert "server has used its 3 credits" in sentence(raised.value.notice)
    await engine.jobs.request(ask(CAROL, OTHER_GUILD))
    assert await spent(engine, CAROL) == 0


async def test_refunds_on_failure_cancel_and_deadline(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine(default_credits_per_day=10, max_jobs_per_member=1,
                                         job_deadline_seconds=3600)
    running = await engine.jobs.request(ask(ALICE))
    queued = await engine.jobs.request(ask(ALICE))
    third = await engine.jobs.request(ask(ALICE))
    assert running.state is JobState.SUBMITTED
    assert queued.state is JobState.QUEUED and queued.queue_position == 1
    assert third.queue_position == 2
    # A stranger cannot cancel; the requester can, for a full refund.
    with pytest.raises(JobNotCancellable):
        await engine.jobs.cancel(queued.id, BOB, is_moderator=False)
    cancelled = await engine.jobs.cancel(queued.id, ALICE, is_moderator=False)
    assert cancelled.state is JobState.FAILED and "Cancelled by" in (
        failure_reason(cancelled))
    assert await ledger_entry(engine.store, queued.id) == (1, LedgerStatus.REFUNDED)
    with pytest.raises(JobNotCancellable):  # already running
        await engine.jobs.cancel(running.id, MOD, is_moderator=True)
    # A failed task is refunded, and the queue moves on.
    await fake_kling.finish(running.task_id or "", succeed=False, message="blocked")
    await eventually(lambda: _state(engine, third.id, JobState.SUBMITTED))
    assert await ledger_entry(engine.store, running.id) == (1, LedgerStatus.REFUNDED)
    # The deadline refunds what is still unfinished.
    await engine.store.update(third.id, (JobState.SUBMITTED,), deadline_at=0.0)
    engine.poller.wake()
    await eventually(lambda: _state(engine, third.id, JobState.FAILED))
    assert await ledger_entry(engine.store, third.id) == (1, LedgerStatus.REFUNDED)
    assert await spent(engine, ALICE) == 0
    assert {job_id for job_id, _ in notifier.failures} >= {queued.id, running.id, third.id}


async def _state(engine: object, job_id: str, state: JobState) -> bool:
    job = await engine.store.get_job(job_id)  # type: ignore[attr-defined]
    return job is not None and job.state is state


async def test_period_rolls_over_at_the_reset_hour(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    clock = Clock(datetime(2026, 3, 1, 5, 30, tzinfo=UTC).timestamp())
    engine, _ = await make_engine(default_credits_per_day=2, credit_reset_hour_utc=6,
                                  start=False, clock=clock)
    await engine.start()
    await engine.jobs.request(ask(ALICE, mode="pro"))
    with pytest.raises(QuotaExceeded) as raised:
        await engine.jobs.request(ask(ALICE))
    assert raised.value.resets_at == datetime(2026, 3, 1, 6, 0, tzinfo=UTC).timestamp()
    clock.now = datetime(2026, 3, 1, 5, 59, 59, tzinfo=UTC).timestamp()
    with pytest.raises(QuotaExceeded):
        await engine.jobs.request(ask(ALICE))
    clock.now = datetime(2026, 3, 1, 6, 0, 1, tzinfo=UTC).timestamp()
    await engine.jobs.request(ask(ALICE, mode="pro"))
    # A server may choose its own reset hour.
    mod = Moderation(engine.store, engine.jobs.quota, clock)
    await mod.set_setting(GUILD, MOD, "reset_hour_utc", 12)
    clock.now = datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC).timestamp()
    await engine.jobs.request(ask(ALICE, mode="pro"))


async def test_bonus_credits_add_to_this_period(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine(default_credits_per_day=1)
    mod = Moderation(engine.store, engine.jobs.quota)
    await engine.jobs.request(ask(ALICE))
    with pytest.raises(QuotaExceeded):
        await engine.jobs.request(ask(ALICE))
    await mod.grant(GUILD, MOD, ALICE, 2, "won the contest")
    await engine.jobs.request(ask(ALICE, mode="pro"))
    history = await mod.history(GUILD, ALICE)
    assert history[0].action == "grant" and history[0].reason == "won the contest"
    assert history[0].new_value == "2" and history[0].actor_id == MOD


async def test_round_robin_serves_the_second_member_before_the_firsts_third(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, _ = await make_engine(default_credits_per_day=50, kling_concurrency=1)
    alice_jobs = [await engine.jobs.request(ask(ALICE, prompt=f"alice {i}")) for i in range(10)]
    bob_job = await engine.jobs.request(ask(BOB, prompt="bob"))
    assert (await engine.store.get_job(bob_job.id)).queue_position == 1  # type: ignore[union-attr]
    order: list[str] = []
    for _ in range(3):
        task = fake_kling.last_task
        assert task is not None
        order.append(task.request["prompt"])
        await fake_kling.finish(task.task_id)
        count = len(fake_kling.tasks)
        await fake_kling.wait_for(lambda c=count: len(fake_kling.tasks) > c)  # type: ignore[misc]
    assert order == ["alice 0", "bob", "alice 1"]
    assert alice_jobs[2].state is JobState.QUEUED

"""The core's side of the price confirmation, on both stores and the fake Kling:
a quote is the price `reserve` holds; above the server's threshold nothing is reserved until a
confirmed price comes with the request, and never more than that price is charged."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.jobs import JobRequest, OfferChanged, PriceNeedsConfirmation, PriceRose
from bot.kling.options import VideoOptions
from testkit.fakes.kling import FakeKling
from tests.conftest import EngineFactory

GUILD, ALICE = 1, 100
PRICEY = JobRequest(guild_id=GUILD, channel_id=10, user_id=ALICE, options=VideoOptions(
    action="text2video", prompt="a storm at sea", mode="pro", duration=10))


async def test_a_quote_is_the_price_reserve_holds_and_holds_nothing(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine()
    quote = await engine.jobs.quote(PRICEY)
    assert (quote.cost, quote.model, quote.mode, quote.duration) == (4, "kling-v1-6", "pro", 10)
    assert not quote.needs_confirmation  # no threshold set
    assert await engine.store.credits_spent(GUILD, ALICE, 0) == 0
    job = await engine.jobs.reserve(PRICEY)
    assert job.cost == quote.cost
    assert await engine.store.credits_spent(GUILD, ALICE, 0) == 4


async def test_above_the_threshold_nothing_is_reserved_until_confirmed(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine()
    await engine.store.set_guild_setting(GUILD, "confirm_above", 3)
    with pytest.raises(PriceNeedsConfirmation) as asked:
        await engine.jobs.request(PRICEY)
    assert asked.value.quote.cost == 4 and asked.value.quote.confirm_above == 3
    assert await engine.store.count_by_state() == {}
    assert await engine.store.credits_spent(GUILD, ALICE, 0) == 0
    assert fake_kling.create_count == 0
    job = await engine.jobs.request(replace(PRICEY, confirmed_cost=4))
    assert job.cost == 4 and await engine.store.credits_spent(GUILD, ALICE, 0) == 4


async def test_a_price_above_the_confirmed_one_is_refused(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine()
    with pytest.raises(PriceRose) as rose:
        await engine.jobs.reserve(replace(PRICEY, confirmed_cost=2))
    assert rose.value.params == {"cost": 4, "confirmed": 2}
    assert await engine.store.credits_spent(GUILD, ALICE, 0) == 0


async def test_a_request_confirmed_as_something_else_is_offered_again(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _ = await make_engine()
    await engine.store.set_guild_setting(GUILD, "confirm_above", 3)
    quote = await engine.jobs.quote(PRICEY)
    assert quote.terms == ("kling-v1-6", "pro", 10, False)
    confirmed = replace(PRICEY, confirmed_cost=quote.cost,
                        confirmed_terms=("kling-v1", "pro", 10, False))
    with pytest.raises(OfferChanged) as again:
        await engine.jobs.reserve(confirmed)
    assert again.value.quote == quote and again.value.confirmed[0] == "kling-v1"
    assert await engine.store.count_by_state() == {}
    assert await engine.store.credits_spent(GUILD, ALICE, 0) == 0
    job = await engine.jobs.reserve(replace(confirmed, confirmed_terms=quote.terms))
    assert (job.model, job.cost) == ("kling-v1-6", 4)

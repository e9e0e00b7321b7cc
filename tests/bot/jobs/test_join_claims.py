"""How many Joins run at once (a press beyond the limit is refused, never queued), and the
claim that joins a story once, which does not outlive the process holding it: a bot killed in
the middle of a Join leaves a claim that its restart releases at once, and a claim whose
process stopped renewing it (another process, killed) is taken over soon after, not after a
quarter of an hour of "being joined right now"."""

from __future__ import annotations

import pytest

from bot.jobs.join_turns import JoinsBusy, JoinTurns
from tests.conftest import EngineFactory

ALICE, BOB, CAROL = 1, 2, 3


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_join_claim_left_by_a_killed_bot_is_released_when_it_starts_again(
        make_engine: EngineFactory) -> None:
    clock = Clock()
    before, _ = await make_engine(clock=clock, instance_id="bot-1")
    assert await before.chains.claim("story-job")
    await before.close()  # the Join never finished: no abandon, as after a SIGKILL
    clock.now += 5.0
    after, _ = await make_engine(clock=clock, instance_id="bot-1")
    assert await after.chains.claim("story-job"), "the restarted bot may join the story"


async def test_a_claim_its_process_stopped_renewing_is_taken_over(
        make_engine: EngineFactory) -> None:
    clock = Clock()
    first, _ = await make_engine(clock=clock, instance_id="bot-1")
    second, _ = await make_engine(clock=clock, instance_id="bot-2")
    assert await first.chains.claim("story-job")
    clock.now += 60.0
    assert not await second.chains.claim("story-job"), "a live claim holds"
    assert await first.chains.renew("story-job"), "the running Join renews its claim"
    clock.now += 100.0
    assert not await second.chains.claim("story-job"), "a renewed claim holds"
    clock.now += 300.0  # the first process is gone: nothing renews its claim
    assert await second.chains.claim("story-job"), "the claim is taken over"
    assert not await first.chains.renew("story-job"), "the first process lost it"


def test_joins_run_at_most_so_many_at_once_and_one_a_member() -> None:
    turns = JoinTurns(total=2, per_member=1)
    with turns.turn(ALICE):
        with pytest.raises(JoinsBusy) as busy:
            with turns.turn(ALICE):
                pass
        assert busy.value.code == "access.join_busy"
        with turns.turn(BOB):
            with pytest.raises(JoinsBusy):
                with turns.turn(CAROL):
                    pass
        with turns.turn(CAROL):
            assert turns.running == 2
    assert turns.running == 0
    with turns.turn(ALICE):
        pass  # a finished Join gives its turn back

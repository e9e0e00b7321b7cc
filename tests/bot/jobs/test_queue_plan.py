"""The fair queue's rule alone (bot/jobs/queue_plan.py): no store, no event loop."""

from __future__ import annotations

from dataclasses import replace

from bot.jobs import queue_plan
from bot.jobs.queue_plan import Limits, MemberKey, plan_dispatch
from bot.store import InFlight, Job
from tests.builders import job

IDLE = InFlight(0, {}, {})
DEFAULT = Limits()
ALICE, BOB, CAROL = 1, 2, 3


def started(queued: list[Job], in_flight: InFlight = IDLE,
            served: dict[MemberKey, float] | None = None, limits: Limits = DEFAULT, *,
            paused: bool = False) -> tuple[list[str], dict[str, int]]:
    """The plan, as the ids of the jobs that start and the places of those that wait."""
    plan = plan_dispatch(queued, in_flight, served or {}, limits, paused=paused)
    return [j.id for j in plan.start], plan.positions


def test_plan_dispatch_respects_every_limit() -> None:
    queued = [job("a1", 1, 1, 1.0), job("a2", 1, 1, 2.0), job("b1", 1, 2, 3.0),
              job("c1", 2, 3, 4.0)]
    plan = plan_dispatch(queued, InFlight(0, {}, {}), {}, Limits(per_member=1, per_server=1,
                                                                  total=10))
    assert [j.id for j in plan.start] == ["a1", "c1"]
    assert plan.positions == {"b1": 1, "a2": 2}
    busy = InFlight(3, {1: 3}, {(1, 1): 2, (1, 2): 1})
    plan = plan_dispatch(queued, busy, {}, Limits(per_member=2, per_server=5, total=4))
    assert [j.id for j in plan.start] == ["b1"]
    paused = plan_dispatch(queued, InFlight(0, {}, {}), {}, Limits(), paused=True)
    assert paused.start == [] and len(paused.positions) == 4


def test_one_members_many_jobs_never_hold_back_anothers_one() -> None:
    queued = [job("a1", 1, ALICE, 1.0), job("a2", 1, ALICE, 2.0), job("a3", 1, ALICE, 3.0),
              job("b1", 1, BOB, 4.0)]
    start, positions = started(queued, limits=Limits(per_member=1, total=1))
    assert start == ["a1"]
    assert positions == {"b1": 1, "a2": 2, "a3": 3}


def test_the_member_served_longest_ago_goes_first() -> None:
    queued = [job("a1", 1, ALICE, 1.0), job("b1", 1, BOB, 2.0)]
    served = {(1, ALICE): 5.0, (1, BOB): 3.0}
    assert started(queued, served=served, limits=Limits(total=1)) == (["b1"], {"a1": 1})
    # A member never served goes before anyone who was.
    queued.append(job("c1", 1, CAROL, 10.0))
    assert started(queued, served=served, limits=Limits(total=1))[0] == ["c1"]


def test_a_members_running_jobs_count_against_their_limit() -> None:
    queued = [job("a1", 1, ALICE, 1.0), job("b1", 1, BOB, 2.0)]
    busy = InFlight(2, {1: 2}, {(1, ALICE): 2})
    assert started(queued, busy, limits=Limits(per_member=2)) == (["b1"], {"a1": 1})


def test_a_full_server_waits_while_other_servers_start() -> None:
    queued = [job("a1", 1, ALICE, 1.0), job("b1", 1, BOB, 2.0), job("c1", 2, CAROL, 3.0)]
    busy = InFlight(4, {1: 4}, {(1, 90): 2, (1, 91): 2})
    start, positions = started(queued, busy, limits=Limits(per_member=2, per_server=5))
    assert start == ["a1", "c1"]  # a1 takes the server's last slot
    assert positions == {"b1": 1}


def test_the_total_limit_counts_every_running_job() -> None:
    queued = [job("a1", 1, ALICE, 1.0), job("b1", 1, BOB, 2.0)]
    busy = InFlight(9, {2: 9}, {(2, 90): 9})
    assert started(queued, busy, limits=Limits(total=10)) == (["a1"], {"b1": 1})
    assert started(queued, InFlight(10, {2: 10}, {}), limits=Limits(total=10)) == (
        [], {"a1": 1, "b1": 2})


def test_jobs_without_a_server_share_one_server_slot_count() -> None:
    direct = [replace(job("d1", 1, ALICE, 1.0), guild_id=None)]
    assert started(direct, InFlight(5, {0: 5}, {}), limits=Limits(per_server=5)) == (
        [], {"d1": 1})
    assert started(direct, InFlight(4, {0: 4}, {}), limits=Limits(per_server=5)) == (
        ["d1"], {})


def test_places_take_turns_and_match_the_order_jobs_would_start_in() -> None:
    queued = [job("a1", 1, ALICE, 1.0), job("a2", 1, ALICE, 2.0), job("a3", 1, ALICE, 3.0),
              job("b1", 1, BOB, 4.0), job("b2", 1, BOB, 5.0), job("b3", 1, BOB, 6.0),
              job("c1", 1, CAROL, 7.0)]
    _, positions = started(list(reversed(queued)), paused=True)  # the input order is no rule
    assert positions == {"a1": 1, "b1": 2, "c1": 3, "a2": 4, "b2": 5, "a3": 6, "b3": 7}
    start, rest = started(queued, limits=Limits(per_member=10, per_server=10, total=7))
    assert start == sorted(positions, key=positions.__getitem__) and rest == {}


def test_an_empty_queue_plans_nothing() -> None:
    assert started([]) == ([], {})


def test_places_further_back_than_the_shown_ones_read_as_beyond_them() -> None:
    shown = queue_plan.PLACES_SHOWN
    queued = [job(f"a{n}", 1, ALICE, float(n)) for n in range(shown + 5)]
    _, positions = started(queued, paused=True)
    assert [positions[f"a{n}"] for n in range(shown + 5)] == [
        *range(1, shown + 1), *[shown + 1] * 5]


def test_the_head_of_every_line_plans_as_the_whole_queue_does() -> None:
    # One busy server: two members with long lines; a quiet server's one job, made last.
    busy = [job(f"a{n}", 1, ALICE, float(n)) for n in range(300)]
    busy += [job(f"b{n}", 1, BOB, 0.5 + n) for n in range(40)]
    quiet = job("c0", 2, CAROL, 1000.0)
    limits = Limits(per_member=2, per_server=5, total=10)
    running = InFlight(5, {1: 5}, {(1, ALICE): 2, (1, BOB): 2, (1, 90): 1})
    served = {(1, ALICE): 3.0, (1, BOB): 4.0}
    depth = queue_plan.line_depth(limits, [300, 40, 1])
    assert depth == 2 + 10  # ten rounds of the two long lines place the first twenty
    heads = [j for j in busy if int(j.id[1:]) < depth] + [quiet]
    whole = started([*busy, quiet], running, served, limits)
    assert started(heads, running, served, limits) == (
        whole[0], {key: place for key, place in whole[1].items()
                   if key in {j.id for j in heads}})
    assert whole[0] == ["c0"]
    paused = started([*busy, quiet], running, served, limits, paused=True)
    assert started(heads, running, served, limits, paused=True)[1] == {
        key: place for key, place in paused[1].items() if key in {j.id for j in heads}}

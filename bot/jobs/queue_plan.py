"""The fair queue's rule: which queued jobs start now, and where the others stand.

Pure and synchronous so it can be reasoned about and tested alone. Slots are limited per member,
per server and in total (the API plan's concurrency). Among members with a job waiting and a
free slot, the one served longest ago goes first (round-robin), so one member's ten jobs never
hold back another member's one.

A pass never reads the whole queue: only the head of each member's line (`line_depth` jobs,
from the lines' lengths), so its work grows with the members waiting, not with one server's
backlog. Every member's next jobs are in that head, so anyone with a free slot can start.
Places are told exactly up to `PLACES_SHOWN`; a job further back is told it is beyond that
(`PLACES_SHOWN + 1`), which stays true while it is outside its line's head, so its card is not
edited on every pass.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.store import InFlight

MemberKey = tuple[int, int]

# Places told exactly; a job further back is told it waits beyond this one.
PLACES_SHOWN = 20


class Waiting(Protocol):
    """What the rule reads of a queued job (a `QueuedJob` from the store, or a whole `Job`)."""

    @property
    def id(self) -> str:
        """The job's id."""

    @property
    def guild_id(self) -> int | None:
        """Its server (None: a direct message)."""

    @property
    def user_id(self) -> int:
        """Its member."""

    @property
    def created_at(self) -> float:
        """When it was queued: a line is served oldest first."""


@dataclass(frozen=True)
class Limits:
    """Jobs that may run at Kling at once (the operator's settings, whose defaults these are)."""

    per_member: int = Settings.max_jobs_per_member
    per_server: int = Settings.max_jobs_per_server
    total: int = Settings.kling_concurrency


@dataclass(frozen=True)
class DispatchPlan:
    """One pass's outcome: the jobs to start now, and each waiting job's place in the queue."""

    start: list[Waiting]
    # job id -> 1-based place in the queue, for those that wait (PLACES_SHOWN + 1: beyond)
    positions: dict[str, int]


def line_depth(limits: Limits, line_lengths: Iterable[int]) -> int:
    """How many of each member's oldest queued jobs a pass reads, given how many each member
    has queued. A member starts at most `per_member` jobs in a pass; the rest take turns, one a
    round, so the places up to `PLACES_SHOWN` fall in the first rounds: read those rounds and
    every job starting now or placed within `PLACES_SHOWN` is read."""
    # Jobs left in each line however many start (at least this many), longest first.
    waiting = sorted((n - limits.per_member for n in line_lengths if n > limits.per_member),
                     reverse=True)
    placed, rounds, lines = 0, 0, len(waiting)
    while placed < PLACES_SHOWN and lines:
        rounds += 1
        while lines and waiting[lines - 1] < rounds:  # that line has run out
            lines -= 1
        placed += lines
    return limits.per_member + rounds


def _key(job: Waiting) -> MemberKey:
    return (job.guild_id or 0, job.user_id)


def plan_dispatch(queued: Iterable[Waiting], in_flight: InFlight,
                  last_served: dict[MemberKey, float], limits: Limits, *,
                  paused: bool = False) -> DispatchPlan:
    """The fair queue's rule: round-robin over members, the one served longest ago first,
    within the per-member, per-server and total limits (none start while `paused`)."""
    lines: dict[MemberKey, deque[Waiting]] = {}
    for job in sorted(queued, key=lambda j: j.created_at):
        lines.setdefault(_key(job), deque()).append(job)
    served = dict(last_served)
    member_load = dict(in_flight.by_member)
    server_load = dict(in_flight.by_guild)
    total = in_flight.total
    turn = max([*served.values(), 0.0]) + 1.0

    def pick(candidates: list[MemberKey]) -> MemberKey:
        return min(candidates, key=lambda k: (served.get(k, -math.inf), lines[k][0].created_at))

    start: list[Waiting] = []
    while not paused and total < limits.total:
        free = [k for k, line in lines.items() if line
                and member_load.get(k, 0) < limits.per_member
                and server_load.get(k[0], 0) < limits.per_server]
        if not free:
            break
        key = pick(free)
        start.append(lines[key].popleft())
        member_load[key] = member_load.get(key, 0) + 1
        server_load[key[0]] = server_load.get(key[0], 0) + 1
        total += 1
        served[key] = turn
        turn += 1.0

    # The rest, in the order the same rule would start them if slots were free. A member's
    # rank only changes when they are picked (they go to the back), so a heap gives the same
    # order as picking the minimum each time, in O(n log n) instead of O(members x jobs): a
    # burst of commands from many members would otherwise stall the event loop here.
    order = {key: index for index, key in enumerate(lines)}
    heap = [(served.get(key, -math.inf), line[0].created_at, order[key], key)
            for key, line in lines.items() if line]
    heapq.heapify(heap)
    positions: dict[str, int] = {}
    while heap:
        _, _, index, key = heapq.heappop(heap)
        line = lines[key]
        positions[line.popleft().id] = min(len(positions) + 1, PLACES_SHOWN + 1)
        if line:
            heapq.heappush(heap, (turn, line[0].created_at, index, key))
        turn += 1.0
    return DispatchPlan(start, positions)

"""How long the prompt filters take on one request: `python -m bench.prompt_filters`.

A server at the rule limit (100: 50 plain words, 50 patterns that pass the safety check,
some of them quadratic on a long run of letters), and two 2,500-character prompts (the
longest a prompt may be): an ordinary one, and one built to be slow for those patterns.
The check runs in a worker thread under `CHECK_BUDGET`; these numbers say how far from it
a full server is.

Then two servers: server A holds a rule too slow for any long prompt (`\\w+\\w+\\w+\\w+\\d`,
put in directly as if it had slipped past the check at add time) and sends many long prompts
at once; server B checks a trivial prompt against one word meanwhile. B's wait is measured on
the filter pool (`FilterChecks`, each server one check at a time) and, for comparison, on
asyncio's default thread pool shared by everything, where the checks used to run.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
import timeit
from collections.abc import Awaitable, Callable

from bot.community.filter_checks import FilterChecks
from bot.community.filters import CHECK_BUDGET, FilterTooSlow, broken_rule, check_rule, check_texts
from bot.kling.options import PROMPT_LIMIT
from bot.store import FilterRow

RUNS = 20


def rules() -> list[FilterRow]:
    """A server's rules at the limit: 50 plain words (some Korean) and 50 patterns that pass the
    safety check."""
    words = [FilterRow(f"word{i}", False, 1, 0.0) for i in range(45)]
    words += [FilterRow(f"금지어{i}", False, 1, 0.0) for i in range(5)]
    shapes = [r"sn[o0]w\s*man", r"\bfree\s+v[i1]bucks\b", "(cat|dog)s?", "a{2,5}x",
              r"[a-z]+@[a-z]+\.com", "a+$"]
    patterns = [check_rule(f"{shapes[i % len(shapes)]}|z{i}", True) for i in range(50)]
    return words + [FilterRow(p, True, 1, 0.0) for p in patterns]


SLOW_CHECKS = 48
QUIET_RUNS = 10


async def quiet_waits(run: Callable[[int, list[FilterRow], str], Awaitable[None]]
                      ) -> tuple[float, float]:
    """Server B's check times (median, worst, seconds) while server A's slow checks run."""
    slow_rules = [FilterRow(r"\w+\w+\w+\w+\d", True, 1, 0.0)]
    quiet_rules = [FilterRow("fox", False, 1, 0.0)]

    async def slow_check() -> None:
        try:
            await run(1, slow_rules, "a" * PROMPT_LIMIT)
        except FilterTooSlow:
            pass

    slow = [asyncio.create_task(slow_check()) for _ in range(SLOW_CHECKS)]
    await asyncio.sleep(0.05)
    waits = []
    for _ in range(QUIET_RUNS):
        started = time.perf_counter()
        await run(2, quiet_rules, "a quiet street at dawn")
        waits.append(time.perf_counter() - started)
    await asyncio.gather(*slow)
    return statistics.median(waits), max(waits)


async def two_servers() -> None:
    """Print server B's wait on the filter pool and on the default thread pool."""
    # Every slow check logs its rule for the operator; here that is the point, not news.
    logging.getLogger("bot.community.filters").setLevel(logging.ERROR)
    checks = FilterChecks()

    async def on_pool(guild: int, rules: list[FilterRow], prompt: str) -> None:
        await checks.run(guild, check_texts, rules, [("prompt", prompt)])

    async def on_default(guild: int, rules: list[FilterRow], prompt: str) -> None:
        await asyncio.to_thread(check_texts, rules, [("prompt", prompt)])

    print(f"two servers: {SLOW_CHECKS} slow checks in A, {QUIET_RUNS} trivial checks in B")
    for name, run in (("filter pool", on_pool), ("default pool", on_default)):
        median, worst = await quiet_waits(run)
        print(f"{name:12} B's check: median {median * 1000:7.2f} ms, worst {worst * 1000:7.2f} ms")
    checks.close()


def main() -> None:
    """Time the check on the ordinary and the hostile prompt, then the two-server case, and
    print the figures."""
    table = rules()
    prompts = {
        "ordinary": ("a slow pan over a misty forest at dawn, birds flying, " * 60)[:2500],
        "hostile": "a" * 2499 + "!",
    }
    print(f"{len(table)} rules; budget {CHECK_BUDGET * 1000:.0f} ms per text")
    for name, prompt in prompts.items():
        broken_rule(table, prompt, budget=10.0)  # compile once
        seconds = timeit.timeit(lambda p=prompt: broken_rule(table, p, budget=10.0),
                                number=RUNS) / RUNS
        print(f"{name:9} {len(prompt)} chars: {seconds * 1000:7.2f} ms per check")
    asyncio.run(two_servers())


if __name__ == "__main__":
    main()

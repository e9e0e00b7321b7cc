"""A pattern's speed, measured when a moderator adds it.

The shape check (`filters.check_rule`) refuses the constructs known to blow up, but a pattern
of plain repeats side by side passes it and is still slow: `\\w+\\w+\\w+\\w+\\d` tries every way
to split a run of letters in four, which is seconds on a long prompt. So a pattern is also
run, before it is kept, against prompts built to be its worst case at the longest length a
prompt may have: long runs of one kind of character (letters, digits, spaces), runs that
alternate kinds, a run of the pattern's own literal characters, each also ending in a
character that makes the match fail late. A pattern that spends more than `SLOW_RULE` of its
thread's CPU time on any of them is refused (`filter.regex_slow`): CPU time, not the clock,
so a busy machine does not refuse a fast rule. Blocking: run it off the event loop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from bot.kling.options import PROMPT_LIMIT

# CPU seconds one pattern may take on its worst prompt: a fifth of a request's whole budget
# (`filters.CHECK_BUDGET`), so a server's rules together still fit it on ordinary prompts.
SLOW_RULE = 0.05
# Wall-clock bound on one probe, so a hopeless pattern is refused quickly.
PROBE_TIMEOUT = 0.5
# Characters of a pattern's syntax, left out of the run of its own literal characters.
_SYNTAX = set("\\^$.|?*+()[]{}")
_RUNS = ("a", "1", "a1", "a ", " ", "aA1_-.@ ", "a\n")


def probes(pattern: str) -> Iterator[str]:
    """The worst-case prompts for `pattern`, each as long as a prompt may be."""
    own = "".join(dict.fromkeys(ch for ch in pattern if ch not in _SYNTAX)) or "a"
    for run in (*_RUNS, own):
        text = (run * (PROMPT_LIMIT // len(run) + 1))[:PROMPT_LIMIT]
        yield text
        yield text[:-1] + "!"


def too_slow(compiled: Any, pattern: str) -> bool:
    """Whether the compiled pattern (mrab-regex) takes too long on one of its worst-case
    prompts (ASCII, so the filter searches them in one form only)."""
    for probe in probes(pattern):
        started = time.thread_time()
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT, concurrent=True)
        except TimeoutError:
            return True
        if time.thread_time() - started > SLOW_RULE:
            return True
    return False

"""How long the prompt filters take on one request: `python -m bench.prompt_filters`.

A server at the rule limit (100: 50 plain words, 50 patterns that pass the safety check,
some of them quadratic on a long run of letters), and two 2,500-character prompts (the
longest a prompt may be): an ordinary one, and one built to be slow for those patterns.
The check runs in a worker thread under `CHECK_BUDGET`; these numbers say how far from it
a full server is.
"""

from __future__ import annotations

import timeit

from bot.community.filters import CHECK_BUDGET, broken_rule, check_rule
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


def main() -> None:
    """Time the check on the ordinary and the hostile prompt and print the figures."""
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


if __name__ == "__main__":
    main()

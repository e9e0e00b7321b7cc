"""Fails when a module of the bot, its cogs, the test kit or the benchmarks grows past 350
lines: past that a module holds more than one job (DEVELOPERS.md, "Style")."""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 350
ROOTS = ("bot", "cogs", "testkit", "bench")


def oversized(root: Path) -> list[tuple[Path, int]]:
    """Every Python module under the checked folders with more than `LIMIT` lines."""
    found = []
    for folder in ROOTS:
        for path in sorted((root / folder).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                found.append((path.relative_to(root), lines))
    return found


def main() -> int:
    """Print each oversized module; exit 1 if there is any."""
    found = oversized(Path(__file__).resolve().parent.parent)
    for path, lines in found:
        print(f"CI FAILED: {path} has {lines} lines (at most {LIMIT}); split it by job",
              file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

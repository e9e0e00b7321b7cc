"""klingcord's benchmarks: the real bot against the local fake Discord and fake Kling.

Run with `python -m bench` from the repository root (see README, "Benchmarks"). Not part of
the test run: the figures take minutes and depend on the machine, so they are recorded in
BENCHMARKS.md with the machine they came from instead of asserted in CI.
"""

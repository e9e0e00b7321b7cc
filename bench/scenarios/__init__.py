"""One module per figure in BENCHMARKS.md; each exposes `async def run(ctx) -> list[Figure]`."""

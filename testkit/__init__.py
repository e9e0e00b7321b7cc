"""What the tests and the benchmarks share: fakes of the two remote services (Discord and the
Kling API), the bot as a real OS process, and throw-away PostgreSQL databases.

Not part of the shipped package (pyproject ships ``bot`` and ``cogs`` only); ``tests/`` and
``bench/`` both import from here, and neither imports the other.
"""

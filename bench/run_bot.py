"""`python -m bench.run_bot`: the production entry point (`python -m bot`) pointed at the fake
Discord, optionally with pyinstrument ready to profile a stretch of its life.

Every setting comes from the environment, as it does for `python -m bot`; only where discord.py
connects changes (`KLINGCORD_BENCH_DISCORD_API`, `KLINGCORD_BENCH_DISCORD_GATEWAY`). With
`KLINGCORD_BENCH_PROFILE=<file>`, SIGUSR1 starts pyinstrument and SIGUSR2 stops it and saves the
session to that file, so the benchmark profiles exactly the stretch it drives (a burst of
commands, say) and not the imports and the start-up around it.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType


def _point_at_fakes() -> None:
    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = os.environ["KLINGCORD_BENCH_DISCORD_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        os.environ["KLINGCORD_BENCH_DISCORD_GATEWAY"])


def _profile_on_signals(target: Path) -> None:
    from pyinstrument import Profiler

    # async_mode "disabled": sample the main thread as it is, event loop included, so time
    # spent waiting in epoll shows up as waiting instead of being credited to a coroutine.
    profiler = Profiler(interval=0.001, async_mode="disabled")

    def start(signum: int, frame: FrameType | None) -> None:
        if not profiler.is_running:
            profiler.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        if profiler.is_running:
            session = profiler.stop()
            partial = target.with_suffix(".partial")
            session.save(str(partial))
            partial.replace(target)  # the benchmark waits for the file: make it whole

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)


def run() -> int:
    """Run the real bot against the fakes, with the profiler on signals when asked."""
    profile_to = os.environ.get("KLINGCORD_BENCH_PROFILE")
    if profile_to:
        _profile_on_signals(Path(profile_to))
    _point_at_fakes()
    from bot.__main__ import main

    return main()


if __name__ == "__main__":
    sys.exit(run())

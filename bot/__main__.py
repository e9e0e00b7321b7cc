"""`python -m bot`: read the settings (from `.env` too), set up logging, run the bot.

Signals are handled by the event loop: SIGTERM (`docker stop`, process managers) and SIGINT
set a stop event, and the bot is closed from the loop, whatever it was doing, start-up
included. An exception raised from a signal handler would instead land wherever the code
happened to be (half-way through a migration, a recovery, a write), which is no clean stop.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class EarlyStop:
    """Remembers a stop signal that arrives before the event loop runs (while settings load
    and discord.py is imported), so the bot then exits at once, with status 0."""

    def __init__(self) -> None:
        self.requested = False
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._note)

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True


async def run(settings: Settings, early: EarlyStop) -> None:
    """Run the bot until Discord or the engine fails, or a stop signal arrives."""
    from bot.discord.client import run_until_stopped

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    if early.requested:
        return
    try:
        await run_until_stopped(settings, stop)
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)


def main(early: EarlyStop | None = None) -> int:
    """Run the bot; the exit status. `early` is given by a caller that had to import more
    before calling (the tests' launcher)."""
    # Signals first: the imports below (discord.py, aiohttp) take most of a second, and a
    # `docker stop` in that second must still end in a clean exit.
    early = early or EarlyStop()
    import aiohttp
    from dotenv import find_dotenv, load_dotenv

    from bot.config import ConfigError, load_settings
    from bot.discord.client import LoginRefused
    from bot.engine import StartupError
    from bot.logs import setup_logging

    # The .env of the folder the bot is started from (not of the installed package).
    load_dotenv(find_dotenv(usecwd=True))
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.discord_token, settings.kling_api_token,
                                       settings.metrics_token or ""], settings.log_format)
    try:
        asyncio.run(run(settings, early))
    except LoginRefused:
        print("Discord refused DISCORD_TOKEN: copy the bot token again from the developer "
              "portal (Bot > Reset Token) into .env.", file=sys.stderr)
        return 2
    except StartupError as error:
        print(f"klingcord cannot start: {error}", file=sys.stderr)
        return 1
    except (aiohttp.ClientConnectionError, OSError) as error:
        print(f"klingcord cannot reach Discord ({type(error).__name__}). Check the network "
              "and try again.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot`: read the settings (from `.env` too), set up logging, run the bot."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import aiohttp
import discord
from dotenv import find_dotenv, load_dotenv

from bot.config import ConfigError, load_settings
from bot.discord_bot import KlingBot
from bot.engine import StartupError
from bot.logs import setup_logging


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # The .env of the folder the bot is started from (not of the installed package).
    load_dotenv(find_dotenv(usecwd=True))
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, [settings.discord_token, settings.kling_api_token])
    bot = KlingBot(settings)
    # `docker stop` and process managers send SIGTERM; discord.py closes cleanly only on
    # SIGINT (KeyboardInterrupt), so treat both alike.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        bot.run(settings.discord_token, log_handler=None)
    except discord.LoginFailure:
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

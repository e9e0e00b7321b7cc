"""`python -m bot`, pointed at the local fake Discord: for tests that run the bot as a real
process (and kill it). The only change from production is where discord.py connects; every
setting still comes from the environment, as it does for `python -m bot`."""

from __future__ import annotations

import os
import sys

from bot.__main__ import EarlyStop, main

if __name__ == "__main__":
    early = EarlyStop()  # before the imports below, as `main` does in production
    import discord.gateway
    import discord.http
    import yarl

    discord.http.Route.BASE = os.environ["KLINGCORD_TEST_DISCORD_API"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(
        os.environ["KLINGCORD_TEST_DISCORD_GATEWAY"])
    sys.exit(main(early))

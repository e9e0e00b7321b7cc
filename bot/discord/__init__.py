"""The Discord layer: the only part of `bot` that imports discord.py.

The core (everything else in `bot/`) runs a job's whole life without a gateway and talks to
Discord only through the `JobNotifier` interface that `notifier.DiscordNotifier` implements.
Here live the client and its command tree (`client`), interaction helpers (`interactions`),
the error replies (`errors`), the access rules (`access`), the start-job flow (`flows`), the
notifier with its card throttle and result search, the rendering of cards (`cards`), the
persistent buttons and modals, and every sentence a member reads: the catalogue (`texts`) and
the wording of the core's codes at display time (`render`), and the commands' own names and
descriptions in every catalogue language (`command_texts`); the core never reads any of them.
Arrows point one way: `cogs -> bot.discord -> core`.
"""

"""The Discord layer: the only part of `bot` that imports discord.py. It renders and sends what
the core decided and keeps no job state of its own.

- `client`: the discord.py client, its command tree and error handler (`errors`), the access
  rules (`access`), small facts about an interaction (`interactions`), Discord's own figures
  into the metrics (`telemetry`);
- `ui`: what members press and fill in (persistent buttons, modals, private views);
- `flows`: interactions that start jobs (one start-job flow, Continue and Join, the images a
  message holds, a member's preferences);
- `posting`: what the bot posts with its own token (cards, results, notices, the log
  channel), with the buttons' faces (`posting.components`);
- `i18n`: every sentence a member reads, in the reader's language.

Inside the layer arrows point `ui -> flows -> posting -> i18n`; across the project
`cogs -> bot.discord -> core`.
"""

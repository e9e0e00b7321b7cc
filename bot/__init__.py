"""klingcord: the core of the bot (no slash-command code here)."""

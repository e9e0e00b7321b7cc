"""Community moderation in the core: prompt filters, review mode, reports, gifts between
members and reaction rewards. Each module holds one of them; none imports discord.py, and each
records what happened as codes, params and audit entries for the Discord layer to word."""

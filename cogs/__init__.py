"""Thin discord.py extensions: parse the interaction, call the core, reply."""

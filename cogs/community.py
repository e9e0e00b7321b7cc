"""Community moderation's gateway side: reaction rewards.

Reactions arrive as MESSAGE_REACTION_ADD events (the GUILD_MESSAGE_REACTIONS intent, which is
not privileged and is part of discord.py's default intents). The raw event is used, so a
reaction on a result posted before a restart (not in the message cache) still counts. Only
additions count: a vote is kept once per member per result, so a removal changes nothing and
adding the reaction again is not counted twice.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.discord.client import KlingBot
from bot.discord.i18n.texts import speaking, text
from bot.discord.services import Services

log = logging.getLogger(__name__)


class CommunityCog(commands.Cog):
    def __init__(self, services: Services) -> None:
        self.services = services

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        me = self.services.notifier.client.user
        if payload.guild_id is None or (me is not None and payload.user_id == me.id):
            return  # the bot's own reactions never count
        try:
            paid = await self.services.rewards.reaction_added(
                payload.guild_id, payload.message_id, payload.user_id, str(payload.emoji))
            if paid is None:
                return
            with speaking(await self.services.languages.of(payload.guild_id)):
                line = text("reward.paid", user_id=paid.job.user_id, credits=paid.credits,
                            voters=paid.voters)
            await self.services.notifier.community.say_in_thread(paid.job, line)
        except Exception:
            log.exception("Could not count a reaction on message %s", payload.message_id)


async def setup(bot: KlingBot) -> None:
    await bot.add_cog(CommunityCog(bot.services))

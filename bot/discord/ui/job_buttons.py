"""What the buttons under a job's card and its result do (their faces and rows are
`bot.discord.posting.components`).

One `DynamicItem` template serves every job button: `kling:<action>:<job id>`, with the action
one of `extend`, `extend-prompt`, `continue`, `continue-prompt`, `join` and `cancel`. Nothing
but the custom id is kept, so a button posted before a restart (or an upgrade: the ids are the
ones the bot has always used) works after it. The item answers its own errors, because
discord.py never passes a DynamicItem's errors to the command tree's handler.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal, cast

import discord

from bot.discord.access import may_extend, member_is_moderator
from bot.discord.errors import Refused, reply_error
from bot.discord.flows.chains import continue_video, join_story
from bot.discord.flows.start import extend_request, start_job
from bot.discord.i18n.languages import speaking_to
from bot.discord.i18n.texts import text
from bot.discord.interactions import engine_of, send_ephemeral
from bot.discord.posting.components import persistent_button
from bot.discord.ui.prompt_modals import ContinueModal, ExtendModal
from bot.publishing import refuse_removed
from bot.store import Job, JobState, Store

log = logging.getLogger(__name__)

JobAction = Literal["extend", "extend-prompt", "continue", "continue-prompt", "join", "cancel"]
TEMPLATE = (r"kling:(?P<action>extend|extend-prompt|continue|continue-prompt|join|cancel):"
            r"(?P<job_id>[0-9a-f]{20})")


async def extendable_source(interaction: discord.Interaction, store: Store, job_id: str) -> Job:
    """The job behind a button, if this member may extend it. Raises `Refused`, or
    `RemovedPart` when a moderator removed the video."""
    source = await store.get_job(job_id)
    if source is None:
        raise Refused("access.gone")
    if not await may_extend(interaction, store, source):
        raise Refused("access.not_yours")
    # SUCCEEDED too: the result message is posted a moment before the job is marked DELIVERED.
    if source.state not in (JobState.SUCCEEDED, JobState.DELIVERED) or not source.video_id:
        raise Refused("access.not_ready")
    refuse_removed(source)  # a removed video is not extended, continued or joined
    return source


class JobButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """Extend, Extend with a new prompt, or Cancel, for the job its custom id names."""

    def __init__(self, action: JobAction, job_id: str) -> None:
        super().__init__(persistent_button(action, job_id))
        self.action: JobAction = action
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> JobButton:
        return cls(cast(JobAction, match["action"]), match["job_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Press the button; every private answer (and the modal) in the member's language."""
        with speaking_to(interaction):
            try:
                await self._press(interaction)
            except Exception as error:
                await reply_error(interaction, error)

    async def _press(self, interaction: discord.Interaction) -> None:
        engine = engine_of(interaction)
        if self.action == "cancel":
            # The core refuses anyone but the requester and moderators.
            moderator = await member_is_moderator(interaction, engine.store)
            job = await engine.jobs.cancel(self.job_id, interaction.user.id,
                                           is_moderator=moderator)
            await send_ephemeral(interaction, text("cancel.done", cost=job.cost))
            return
        source = await extendable_source(interaction, engine.store, self.job_id)
        if self.action == "extend":
            await start_job(engine.jobs, interaction, extend_request(interaction, source, None))
        elif self.action == "extend-prompt":
            model = engine.capabilities.get(source.model)
            lengths = model.extend_durations if model is not None else ()
            await interaction.response.send_modal(ExtendModal(engine.jobs, source, lengths))
        elif self.action == "continue":
            await continue_video(interaction, source, None)
        elif self.action == "continue-prompt":
            await interaction.response.send_modal(ContinueModal(source))
        else:
            await join_story(interaction, source)


DYNAMIC_ITEMS = (JobButton,)

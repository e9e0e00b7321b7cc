"""What the buttons under a job's card and its result do (their faces and rows are
`bot.discord.posting.components`).

One `DynamicItem` template serves every job button: `kling:<action>:<job id>`, with the action
one of `extend`, `extend-prompt`, `continue`, `continue-prompt`, `join` and `cancel`. Nothing
but the custom id is kept, so a button posted before a restart (or an upgrade: the ids are the
ones the bot has always used) works after it. Who may press it is checked before anything
runs, and its errors are answered privately, by its base (`bot.discord.ui.base`).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal, cast

import discord

from bot.discord.access import may_extend
from bot.discord.errors import Refused
from bot.discord.flows.chains import continue_video, join_story
from bot.discord.flows.start import extend_request, start_job
from bot.discord.i18n.texts import text
from bot.discord.interactions import send_ephemeral
from bot.discord.posting.components import persistent_button
from bot.discord.services import services_of
from bot.discord.ui.base import PersistentButton
from bot.discord.ui.prompt_modals import ContinueModal, ExtendModal
from bot.publishing import refuse_removed
from bot.store import Job, JobState, Store

log = logging.getLogger(__name__)

JobAction = Literal["extend", "extend-prompt", "continue", "continue-prompt", "join", "cancel"]
TEMPLATE = (r"kling:(?P<action>extend|extend-prompt|continue|continue-prompt|join|cancel):"
            r"(?P<job_id>[0-9a-f]{20})")


async def extendable_source(store: Store, job_id: str) -> Job:
    """The job behind a button, if it can be extended now. Raises `Refused`, or
    `RemovedPart` when a moderator removed the video."""
    source = await store.get_job(job_id)
    if source is None:
        raise Refused("access.gone")
    # SUCCEEDED too: the result message is posted a moment before the job is marked DELIVERED.
    if source.state not in (JobState.SUCCEEDED, JobState.DELIVERED) or not source.video_id:
        raise Refused("access.not_ready")
    refuse_removed(source)  # a removed video is not extended, continued or joined
    return source


class JobButton(PersistentButton, template=TEMPLATE):
    """Extend, Extend with a new prompt, Continue, Join the story or Cancel, for the job its
    custom id names: its requester and moderators may press it, and anyone else where the
    server opened the job buttons to everyone (never Cancel)."""

    pressed_by = "owner_or_moderators"

    def __init__(self, action: JobAction, job_id: str) -> None:
        super().__init__(persistent_button(action, job_id))
        self.action: JobAction = action
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> JobButton:
        """Rebuild the button from its custom id after a restart."""
        return cls(cast(JobAction, match["action"]), match["job_id"])

    def refused_code(self) -> str:
        """Cancel's refusal has its own text: only the requester and moderators may cancel."""
        return "cancel.not_yours" if self.action == "cancel" else "access.not_yours"

    async def may_press_as_member(self, interaction: discord.Interaction) -> bool:
        """The requester; for every button but Cancel, anyone where the server allows it."""
        store = services_of(interaction).store
        job = await store.get_job(self.job_id)
        if job is None:
            raise Refused("access.gone")
        if self.action == "cancel":
            return interaction.user.id == job.user_id
        return await may_extend(interaction, job)

    async def press(self, interaction: discord.Interaction) -> None:
        """Cancel the job, start an Extend or a Continue (at once, or after asking for a prompt), or
        join the story; the core checks each again."""
        services = services_of(interaction)
        if self.action == "cancel":
            # The core decides again with the same answer (the requester or a moderator).
            job = await services.jobs.cancel(self.job_id, interaction.user.id,
                                             is_moderator=self.by_staff)
            await send_ephemeral(interaction, text("cancel.done", cost=job.cost))
            return
        source = await extendable_source(services.store, self.job_id)
        if self.action == "extend":
            await start_job(services.jobs, interaction, extend_request(interaction, source, None))
        elif self.action == "extend-prompt":
            model = services.capabilities.get(source.model)
            lengths = model.extend_durations if model is not None else ()
            await interaction.response.send_modal(ExtendModal(services.jobs, source, lengths))
        elif self.action == "continue":
            await continue_video(interaction, source, None)
        elif self.action == "continue-prompt":
            await interaction.response.send_modal(ContinueModal(source))
        else:
            await join_story(interaction, source)

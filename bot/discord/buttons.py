"""The buttons under a job's card and its result, and the views that carry them.

One `DynamicItem` template serves every job button: `kling:<action>:<job id>`, with the action
one of `extend`, `extend-prompt`, `continue`, `continue-prompt`, `join` and `cancel`. Nothing
but the custom id is kept, so a button posted before a restart (or an upgrade: the ids are the
ones the bot has always used) works after it. The item answers its own errors, because
discord.py never passes a DynamicItem's errors to the command tree's handler.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Literal, cast

import discord

from bot.discord.access import may_extend, member_is_moderator
from bot.discord.community_buttons import ReportButton
from bot.discord.errors import Refused, reply_error
from bot.discord.flows import extend_request, start_job
from bot.discord.interactions import engine_of, send_ephemeral
from bot.discord.languages import speaking_to
from bot.discord.limits import LINK_BUTTON_URL_LIMIT
from bot.discord.modals import ContinueModal, ExtendModal
from bot.discord.stories import continue_video, join_story
from bot.discord.texts import text
from bot.kling.capabilities import CapabilityTable
from bot.store import Job, JobState, Store

log = logging.getLogger(__name__)

JobAction = Literal["extend", "extend-prompt", "continue", "continue-prompt", "join", "cancel"]
TEMPLATE = (r"kling:(?P<action>extend|extend-prompt|continue|continue-prompt|join|cancel):"
            r"(?P<job_id>[0-9a-f]{20})")


@dataclass(frozen=True)
class _Look:
    label: str  # a text key
    style: discord.ButtonStyle
    emoji: str | None = None


LOOKS: dict[JobAction, _Look] = {
    # Continue the video with the same prompt.
    "extend": _Look("button.extend", discord.ButtonStyle.primary, "⏩"),
    # Continue the video with a prompt typed into a modal.
    "extend-prompt": _Look("button.extend_prompt", discord.ButtonStyle.secondary, "✏️"),
    # Models without Extend: a new image-to-video part from the video's last frame.
    "continue": _Look("button.continue", discord.ButtonStyle.primary, "⏩"),
    "continue-prompt": _Look("button.continue_prompt", discord.ButtonStyle.secondary, "✏️"),
    # The chain of Extends and Continues ending here, joined into one video (free).
    "join": _Look("button.join", discord.ButtonStyle.success, "🎞️"),
    # Cancel a queued job, with a full refund (its requester or a moderator).
    "cancel": _Look("button.cancel", discord.ButtonStyle.danger),
}


async def extendable_source(interaction: discord.Interaction, store: Store, job_id: str) -> Job:
    """The job behind a button, if this member may extend it. Raises `Refused`."""
    source = await store.get_job(job_id)
    if source is None:
        raise Refused("access.gone")
    if not await may_extend(interaction, store, source):
        raise Refused("access.not_yours")
    # SUCCEEDED too: the result message is posted a moment before the job is marked DELIVERED.
    if source.state not in (JobState.SUCCEEDED, JobState.DELIVERED) or not source.video_id:
        raise Refused("access.not_ready")
    return source


class JobButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEMPLATE):
    """Extend, Extend with a new prompt, or Cancel, for the job its custom id names."""

    def __init__(self, action: JobAction, job_id: str) -> None:
        look = LOOKS[action]
        super().__init__(discord.ui.Button(
            label=text(look.label), style=look.style, emoji=look.emoji,
            custom_id=f"kling:{action}:{job_id}"))
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


def result_view(job: Job, capabilities: CapabilityTable) -> discord.ui.View:
    """Extend and Extend with a new prompt where the job's model can extend a video, else
    Continue and Continue with a new prompt where it can start from an image (a button that
    can only refuse is worse than none); Join the story under a part of a chain; and a link
    to the (original) file."""
    view = discord.ui.View(timeout=None)
    model = capabilities.get(job.model)
    if model is not None and model.extend:
        view.add_item(JobButton("extend", job.id))
        view.add_item(JobButton("extend-prompt", job.id))
    elif model is not None and model.image2video:
        view.add_item(JobButton("continue", job.id))
        view.add_item(JobButton("continue-prompt", job.id))
    if job.parent_job_id is not None:
        view.add_item(JobButton("join", job.id))
    if job.video_url and job.video_url.startswith(("http://", "https://")) \
            and len(job.video_url) <= LINK_BUTTON_URL_LIMIT:  # else Discord refuses the post
        view.add_item(discord.ui.Button(label=text("result.open"), url=job.video_url))
    if job.guild_id is not None:  # members report a result to the server's moderators
        view.add_item(ReportButton(job.id))
    return view


def card_view(job: Job) -> discord.ui.View | None:
    """A queued (or held for review) job's card carries a Cancel button; others carry none."""
    if job.state not in (JobState.QUEUED, JobState.REVIEW):
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(JobButton("cancel", job.id))
    return view


DYNAMIC_ITEMS = (JobButton,)

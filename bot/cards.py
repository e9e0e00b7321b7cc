"""What a job looks like in Discord: the status card and the result message's text.

Rendering is kept apart from posting (delivery.py) so it can be read and tested on its own.
"""

from __future__ import annotations

import discord

from bot.store import Job, JobState
from bot.texts import text

TYPICAL_SECONDS = 120
COLOURS = {
    JobState.RESERVED: discord.Colour.light_grey(),
    JobState.SUBMITTED: discord.Colour.blurple(),
    JobState.SUCCEEDED: discord.Colour.blurple(),
    JobState.DELIVERED: discord.Colour.green(),
    JobState.FAILED: discord.Colour.red(),
}


def _quote(prompt: str, limit: int = 1000) -> str:
    shown = prompt if len(prompt) <= limit else prompt[: limit - 1] + "…"
    return shown or "—"


def settings_line(job: Job) -> str:
    return text("card.settings", model=job.model, mode=job.mode or "single mode",
                duration=job.duration, cost=job.cost)


def state_line(job: Job, result_link: str | None = None) -> str:
    if job.state is JobState.RESERVED:
        if job.next_attempt_at:
            return text("card.state.waiting", at=int(job.next_attempt_at))
        return text("card.state.reserved")
    if job.state is JobState.SUBMITTED:
        if job.task_id is None:
            return text("card.state.unconfirmed")
        since = int(job.submitted_at or job.created_at)
        return text("card.state.submitted", since=since, eta=since + TYPICAL_SECONDS)
    if job.state is JobState.SUCCEEDED:
        return text("card.state.succeeded")
    if job.state is JobState.DELIVERED:
        return text("card.state.delivered", link=result_link or "see the thread")
    refund = text("card.refunded", cost=job.cost)
    return text("card.state.failed", reason=f"{job.error_message or ''} {refund}".strip())


def status_card(job: Job, *, note: str | None = None, result_link: str | None = None
                ) -> discord.Embed:
    """The public card that follows the job from queued to done."""
    embed = discord.Embed(title=text(f"card.title.{job.action}"),
                          description=_quote(job.prompt), colour=COLOURS[job.state])
    embed.add_field(name="\u200b", value=text("card.requester", user_id=job.user_id),
                    inline=False)
    embed.add_field(name="\u200b", value=settings_line(job), inline=False)
    embed.add_field(name="\u200b", value=state_line(job, result_link), inline=False)
    if note:
        embed.set_footer(text=note)
    return embed


def result_embed(job: Job) -> discord.Embed:
    embed = discord.Embed(description=_quote(job.prompt, 2000), colour=COLOURS[job.state])
    details = settings_line(job)
    if job.video_duration:
        details += f" · {job.video_duration:.1f} s long"
    embed.add_field(name="\u200b", value=details, inline=False)
    return embed

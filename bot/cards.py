"""What a job looks like in Discord: the status card and the result message's text.

Rendering is kept apart from posting (delivery.py) so it can be read and tested on its own.
"""

from __future__ import annotations

import discord

from bot.store import AuditEntry, Job, JobState
from bot.texts import text

TYPICAL_SECONDS = 120
COLOURS = {
    JobState.QUEUED: discord.Colour.light_grey(),
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
    line = text("card.settings", model=job.model, mode=job.mode or "single mode",
                duration=job.duration, cost=job.cost)
    if job.credits_left is not None:
        line += " · " + text("card.credits_left", left=job.credits_left)
    return line


def state_line(job: Job, result_link: str | None = None) -> str:
    if job.state is JobState.QUEUED:
        if job.queue_position:
            return text("card.state.queued", position=job.queue_position)
        return text("card.state.queued_first")
    if job.state is JobState.RESERVED:
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
    if job.late:
        embed.add_field(name="\u200b", value=text("result.late"), inline=False)
    return embed


def audit_line(entry: AuditEntry) -> str:
    """One moderator action as the log channel shows it."""
    target = ""
    if entry.target_id is not None:
        target = f" <@&{entry.target_id}>" if entry.action.endswith("role_limit") else (
            f" <@{entry.target_id}>")
    reason = f" ({entry.reason})" if entry.reason else ""
    return text("audit.line", actor=entry.actor_id, action=entry.action.replace("_", " "),
                target=target, old=entry.old_value or "—", new=entry.new_value or "—",
                reason=reason)

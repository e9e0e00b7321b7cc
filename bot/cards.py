"""What a job looks like in Discord: the status card and the result message's text.

Rendering is kept apart from posting (delivery.py) so it can be read and tested on its own.
"""

from __future__ import annotations

import discord

from bot.moderation import REASON_LIMIT
from bot.store import AuditEntry, Job, JobState
from bot.texts import clip, text

# Discord's limits (characters); a message over any of them is refused whole (400, 50035).
MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELD_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
THREAD_NAME_LIMIT = 100
LINK_BUTTON_URL_LIMIT = 512

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
    return clip(prompt, limit) or "—"


def fit_lines(lines: list[str], limit: int = MESSAGE_LIMIT) -> str:
    """Whole lines, as many as fit in one message (each line clipped on its own first), so a
    long list loses its tail rather than breaking a mention or a timestamp halfway."""
    kept: list[str] = []
    used = 0
    for line in lines:
        line = clip(line, limit)
        if used + len(line) + (1 if kept else 0) > limit:
            break
        used += len(line) + (1 if kept else 0)
        kept.append(line)
    return "\n".join(kept)


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
    embed = discord.Embed(title=clip(text(f"card.title.{job.action}"), EMBED_TITLE_LIMIT),
                          description=_quote(job.prompt), colour=COLOURS[job.state])
    for value in (text("card.requester", user_id=job.user_id), settings_line(job),
                  state_line(job, result_link)):
        embed.add_field(name="\u200b", value=clip(value, EMBED_FIELD_LIMIT), inline=False)
    if note:
        embed.set_footer(text=clip(note, EMBED_FOOTER_LIMIT))
    return embed


def result_embed(job: Job) -> discord.Embed:
    embed = discord.Embed(description=_quote(job.prompt, 2000), colour=COLOURS[job.state])
    details = settings_line(job)
    if job.video_duration:
        details += f" · {job.video_duration:.1f} s long"
    embed.add_field(name="\u200b", value=clip(details, EMBED_FIELD_LIMIT), inline=False)
    return embed


def audit_line(entry: AuditEntry) -> str:
    """One moderator action as the log channel shows it."""
    target = ""
    if entry.target_id is not None:
        target = f" <@&{entry.target_id}>" if entry.action.endswith("role_limit") else (
            f" <@{entry.target_id}>")
    reason = f" ({clip(entry.reason, REASON_LIMIT)})" if entry.reason else ""
    return clip(text("audit.line", actor=entry.actor_id, action=entry.action.replace("_", " "),
                     target=target, old=entry.old_value or "—", new=entry.new_value or "—",
                     reason=reason), MESSAGE_LIMIT)

"""What a job looks like in Discord: the status card, the result message's text, the thread's
name, a moderator action's line in the log channel.

Rendering is kept apart from posting (notifier.py) so it can be read and tested on its own.
"""

from __future__ import annotations

import logging
import re

import discord

from bot.discord.i18n.limits import (
    EMBED_FIELD_LIMIT,
    EMBED_FOOTER_LIMIT,
    EMBED_TITLE_LIMIT,
    MESSAGE_LIMIT,
    THREAD_NAME_LIMIT,
)
from bot.discord.i18n.render import failure_reason, job_notes, shown_prompt
from bot.discord.i18n.texts import clip, text
from bot.jobs.queue_plan import PLACES_SHOWN
from bot.moderation import REASON_LIMIT
from bot.store import AuditEntry, Job, JobState

TYPICAL_SECONDS = 120
# Discord's mention and custom-emoji markup: <@id>, <@!id>, <@&id>, <#id>, <:name:id>.
MARKUP = re.compile(r"<(?P<kind>@!?|@&|#)(?P<id>\d+)>|<a?:(?P<emoji>\w+):\d+>")
# REST look-ups one thread name may cost (members outside the cache); the rest read "unknown".
MEMBER_FETCHES = 5

log = logging.getLogger(__name__)
COLOURS = {
    JobState.REVIEW: discord.Colour.orange(),
    JobState.QUEUED: discord.Colour.light_grey(),
    JobState.RESERVED: discord.Colour.light_grey(),
    JobState.SUBMITTED: discord.Colour.blurple(),
    JobState.SUCCEEDED: discord.Colour.blurple(),
    JobState.DELIVERED: discord.Colour.green(),
    JobState.FAILED: discord.Colour.red(),
}


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
    """The job's model, mode, length and cost in one line, with its sound and the member's credits
    left when known; the card, the result and the review post all show it."""
    line = text("card.settings", model=job.model, mode=job.mode or text("card.single_mode"),
                duration=job.duration, cost=job.cost)
    if job.request.get("generate_audio") is True:  # sound costs more: the card says why
        line += " · " + text("card.sound")
    if job.credits_left is not None:
        line += " · " + text("card.credits_left", left=job.credits_left)
    return line


def state_line(job: Job, result_link: str | None = None) -> str:
    """Where the job is, as the member reads it on its card; a delivered job links to its result
    (`result_link`) when known, else points to the thread."""
    if job.state is JobState.REVIEW:
        return text("card.state.review")
    if job.state is JobState.QUEUED:
        if job.queue_position and job.queue_position > PLACES_SHOWN:
            # The fair queue tells places this far only; further back reads as beyond.
            return text("card.state.queued_beyond", position=PLACES_SHOWN)
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
        return text("card.state.delivered", link=result_link or text("card.see_thread"))
    refund = text("card.refunded", cost=job.cost)
    return text("card.state.failed", reason=f"{failure_reason(job)} {refund}".strip())


def card_title(job: Job) -> str:
    """What kind of job the card follows: a story or an omni job (told by the request Kling
    receives), else its action."""
    if job.request.get("multi_shot"):
        return text("card.title.story")
    if job.request.get("image_list") or job.request.get("video_list"):
        return text("card.title.omni")
    return text(f"card.title.{job.action}")


def status_card(job: Job, *, note: str | None = None, result_link: str | None = None
                ) -> discord.Embed:
    """The public card that follows the job from queued to done."""
    embed = discord.Embed(title=clip(card_title(job), EMBED_TITLE_LIMIT),
                          description=shown_prompt(job, 1000), colour=COLOURS[job.state])
    for value in (text("card.requester", user_id=job.user_id), settings_line(job),
                  state_line(job, result_link), *job_notes(job)):
        embed.add_field(name="\u200b", value=clip(value, EMBED_FIELD_LIMIT), inline=False)
    if job.reviewed_by is not None and job.state is not JobState.FAILED:
        # Review mode: the decision stays on the card (a rejection is its failure reason).
        embed.add_field(name="\u200b", value=text("card.review_approved"), inline=False)
    if note:
        embed.set_footer(text=clip(note, EMBED_FOOTER_LIMIT))
    return embed


def result_footer(job_id: str) -> str:
    """The result embed's footer: names the job, so that the bot can recognise a result it
    posted before a crash (whatever buttons the message carries) instead of posting it twice."""
    return text("result.footer", job_id=job_id)


def result_embed(job: Job) -> discord.Embed:
    """The embed under a result video: the prompt and settings, the length, a note when the video
    came after the deadline, and the footer that names the job."""
    embed = discord.Embed(description=shown_prompt(job, 2000), colour=COLOURS[job.state])
    details = settings_line(job)
    if job.video_duration:
        details += " · " + text("result.length", seconds=job.video_duration)
    embed.add_field(name="\u200b", value=clip(details, EMBED_FIELD_LIMIT), inline=False)
    if job.late:
        embed.add_field(name="\u200b", value=text("result.late"), inline=False)
    embed.set_footer(text=result_footer(job.id))
    return embed


# Community moderation's actions, worded by their own message.
COMMUNITY_ACTIONS = frozenset({
    "filter_add", "filter_remove", "review_approve", "review_reject", "report_removed",
    "report_blocked", "report_dismissed", "gift", "set_review", "set_review_new_member_days",
    "set_review_timeout_minutes", "set_trusted_role_id", "set_give_share", "set_reward_emoji",
    "set_reward_credits", "set_reward_voters", "set_reward_max_per_period",
})


def _action(action: str) -> str:
    if action in COMMUNITY_ACTIONS:
        return text("audit.community_action", action=action)
    return text("audit.action", action=action)


def audit_line(entry: AuditEntry) -> str:
    """One moderator action as the log channel shows it."""
    target = ""
    if entry.target_id is not None:
        target = f" <@&{entry.target_id}>" if entry.action.endswith("role_limit") else (
            f" <@{entry.target_id}>")
    reason = f" ({clip(entry.reason, REASON_LIMIT)})" if entry.reason else ""
    return clip(text("audit.line", actor=entry.actor_id,
                     action=_action(entry.action), target=target,
                     old=_audit_value(entry.old_value), new=_audit_value(entry.new_value),
                     reason=reason), MESSAGE_LIMIT)


def _audit_value(value: str | None) -> str:
    """A stored value as the reader's language says it (the block states are words)."""
    if value is None:
        return "—"
    return text("audit.value", value=value.replace(" ", "_")) if value in (
        "blocked", "not blocked") else value


async def thread_name(client: discord.Client, job: Job) -> str:
    """The job's thread name: its prompt on one line, mentions shown as the names a reader
    sees (`@role`, `@member`, `#channel`, never `<@&123>`), cut to Discord's 100 characters."""
    # A spoiler's prompt stays hidden: a thread's name cannot be a spoiler.
    source = (job.prompt if not job.spoiler else "") or text(f"card.title.{job.action}")
    guild = client.get_guild(job.guild_id) if job.guild_id is not None else None
    parts: list[str] = []
    fetches = MEMBER_FETCHES
    position = 0
    for match in MARKUP.finditer(source):
        parts.append(source[position:match.start()])
        position = match.end()
        if match["emoji"]:
            parts.append(f":{match['emoji']}:")
        elif match["kind"] == "@&":
            role = guild.get_role(int(match["id"])) if guild is not None else None
            parts.append(f"@{role.name}" if role is not None else "@unknown-role")
        elif match["kind"] == "#":
            channel = client.get_channel(int(match["id"]))
            parts.append(f"#{getattr(channel, 'name', None) or 'unknown-channel'}")
        else:
            name, fetched = await _member_name(client, guild, int(match["id"]), fetches > 0)
            fetches -= fetched
            parts.append(f"@{name}")
    parts.append(source[position:])
    name = " ".join("".join(parts).split())  # thread names are one line
    return clip(name, THREAD_NAME_LIMIT) or text(f"card.title.{job.action}")


async def _member_name(client: discord.Client, guild: discord.Guild | None, user_id: int,
                       may_fetch: bool) -> tuple[str, bool]:
    """A member's display name from the cache, else from Discord (without the members intent
    the cache holds few members); "unknown-user" when neither knows them."""
    member = guild.get_member(user_id) if guild is not None else None
    if member is not None:
        return member.display_name, False
    if not may_fetch:
        user = client.get_user(user_id)
        return (user.display_name if user is not None else "unknown-user"), False
    try:
        if guild is not None:
            return (await guild.fetch_member(user_id)).display_name, True
        return (await client.fetch_user(user_id)).display_name, True
    except discord.HTTPException as exc:
        log.debug("No name for user %s in a thread name (%s)", user_id, exc.status)
        user = client.get_user(user_id)
        return (user.display_name if user is not None else "unknown-user"), True

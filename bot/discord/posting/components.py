"""The persistent buttons as they are posted: each one's custom id, label and style, and the
rows that carry them under a card, a result, a held job and a report.

Posting needs only what a button looks like; what a press does lives with the feature's
`DynamicItem` in `bot.discord.ui`, whose template matches the custom ids made here. A custom id
carries nothing but an action and an id (`kling:<action>:<id>`), so a button posted before a
restart (or an upgrade: the ids are the ones the bot has always used) works after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.discord.i18n.limits import LINK_BUTTON_URL_LIMIT
from bot.discord.i18n.texts import text
from bot.store import Job, JobState

ID = r"[0-9a-f]{20}"


@dataclass(frozen=True)
class Look:
    """A button's face: its label (a text key), style and emoji."""

    label: str
    style: discord.ButtonStyle
    emoji: str | None = None


LOOKS: dict[str, Look] = {
    # Continue the video with the same prompt.
    "extend": Look("button.extend", discord.ButtonStyle.primary, "⏩"),
    # Continue the video with a prompt typed into a modal.
    "extend-prompt": Look("button.extend_prompt", discord.ButtonStyle.secondary, "✏️"),
    # Models without Extend: a new image-to-video part from the video's last frame.
    "continue": Look("button.continue", discord.ButtonStyle.primary, "⏩"),
    "continue-prompt": Look("button.continue_prompt", discord.ButtonStyle.secondary, "✏️"),
    # The chain of Extends and Continues ending here, joined into one video (free).
    "join": Look("button.join", discord.ButtonStyle.success, "🎞️"),
    # Cancel a queued job, with a full refund (its requester or a moderator).
    "cancel": Look("button.cancel", discord.ButtonStyle.danger),
    # Under every result in a server: a member reports it to the moderators.
    "report": Look("button.report", discord.ButtonStyle.secondary, "🚩"),
    # A held job in the log channel (moderators).
    "review:approve": Look("button.approve", discord.ButtonStyle.success),
    "review:reject": Look("button.reject", discord.ButtonStyle.danger),
    # A report in the log channel (moderators).
    "report:remove": Look("button.report_remove", discord.ButtonStyle.danger),
    "report:block": Look("button.report_block", discord.ButtonStyle.danger),
    "report:dismiss": Look("button.report_dismiss", discord.ButtonStyle.secondary),
}


def persistent_button(action: str, target_id: str) -> discord.ui.Button[Any]:
    """The button `kling:<action>:<target_id>` with its face, in the current language."""
    look = LOOKS[action]
    return discord.ui.Button(label=text(look.label), style=look.style, emoji=look.emoji,
                             custom_id=f"kling:{action}:{target_id}")


def button_row(actions: list[tuple[str, str]], link: str | None = None) -> discord.ui.View:
    """A view of persistent buttons (action, target id) and, last, a link button to `link`
    when it is one Discord takes (an http(s) address within its length limit)."""
    view = discord.ui.View(timeout=None)
    for action, target_id in actions:
        view.add_item(persistent_button(action, target_id))
    if link and link.startswith(("http://", "https://")) and len(link) <= LINK_BUTTON_URL_LIMIT:
        view.add_item(discord.ui.Button(label=text("result.open"), url=link))
    return view


def review_view(job_id: str) -> discord.ui.View:
    """Approve and Reject under a held job in the log channel."""
    return button_row([("review:approve", job_id), ("review:reject", job_id)])


def report_view(report_id: str) -> discord.ui.View:
    """Remove, Block and Dismiss under a report in the log channel."""
    return button_row([("report:remove", report_id), ("report:block", report_id),
                       ("report:dismiss", report_id)])


def result_view(job_id: str, kinds: tuple[str, ...], link: str | None) -> discord.ui.View:
    """The buttons the core chose for a result, by kind, in its order; the link button to
    the (original) file before Report."""
    view = button_row([(kind, job_id) for kind in kinds if kind != "report"], link)
    if "report" in kinds:
        view.add_item(persistent_button("report", job_id))
    return view


def card_view(job: Job) -> discord.ui.View | None:
    """A queued (or held for review) job's card carries a Cancel button; others carry none."""
    if job.state not in (JobState.QUEUED, JobState.REVIEW):
        return None
    return button_row([("cancel", job.id)])

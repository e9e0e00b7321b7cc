"""The persistent buttons of community moderation, each a `DynamicItem` that carries only an
id in its custom id, so it works after any restart:

- `kling:review:(approve|reject):<job id>` under a held job in the log channel (moderators);
- `kling:report:<job id>` under every result (any member of the server);
- `kling:report:(remove|block|dismiss):<report id>` under a report in the log channel.

Who may press: moderators for the log channel's buttons; anyone in the server for Report.
Their base (`bot.discord.ui.base`) checks it on every press and answers their errors.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Literal, Protocol, cast

import discord

from bot.discord.i18n.texts import text
from bot.discord.interactions import engine_of, send_ephemeral
from bot.discord.posting.community_posts import CommunityPosts, review_decision
from bot.discord.posting.components import ID, persistent_button, report_view
from bot.discord.ui.base import PersistentButton
from bot.discord.ui.community_modals import ReasonModal
from bot.store import AuditEntry

log = logging.getLogger(__name__)

ReviewAction = Literal["approve", "reject"]
ReportAction = Literal["remove", "block", "dismiss"]
# A report's decision -> the line its log-channel message gets.
DECISION_LINES: dict[str, str] = {"removed": "report.removed", "blocked": "report.blocked",
                                  "dismissed": "report.dismissed"}


class _Notifier(Protocol):
    community: CommunityPosts

    async def post_audit(self, entry: AuditEntry) -> None: ...


class _HoldsNotifier(Protocol):
    notifier: _Notifier


def notifier_of(interaction: discord.Interaction) -> _Notifier:
    return cast(_HoldsNotifier, interaction.client).notifier


class ReviewButton(PersistentButton,
                   template=rf"kling:review:(?P<action>approve|reject):(?P<job_id>{ID})"):
    """Under a held job in the log channel: a moderator approves it, or rejects it with a
    reason."""

    pressed_by = "moderators"

    def __init__(self, action: ReviewAction, job_id: str) -> None:
        super().__init__(persistent_button(f"review:{action}", job_id))
        self.action: ReviewAction = action
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> ReviewButton:
        return cls(cast(ReviewAction, match["action"]), match["job_id"])

    async def press(self, interaction: discord.Interaction) -> None:
        engine = engine_of(interaction)
        if self.action == "approve":
            job, entry = await engine.reviews.approve(self.job_id, interaction.user.id)
            await send_ephemeral(interaction, text("review.done_approved"))
            await _closed(interaction, job.id, entry)
            return
        await engine.reviews.held(self.job_id)  # refuse at once if decided already

        async def reject(modal_interaction: discord.Interaction, reason: str) -> None:
            job, entry = await engine.reviews.reject(self.job_id, modal_interaction.user.id,
                                                     reason)
            await send_ephemeral(modal_interaction, text("review.done_rejected"))
            await _closed(modal_interaction, job.id, entry)

        await interaction.response.send_modal(
            ReasonModal("modal.reject.title", "modal.reason.label", reject))


async def _closed(interaction: discord.Interaction, job_id: str, entry: AuditEntry) -> None:
    """After a review decision: its message shows it, and the audit line is posted."""
    notifier = notifier_of(interaction)
    job = await engine_of(interaction).store.get_job(job_id)
    if job is not None:
        await notifier.community.review_closed(job)
    await notifier.post_audit(entry)


class ReportButton(PersistentButton, template=rf"kling:report:(?P<job_id>{ID})"):
    """Under every result: a member reports it to the moderators, with a reason."""

    pressed_by = "anyone"

    def __init__(self, job_id: str) -> None:
        super().__init__(persistent_button("report", job_id))
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> ReportButton:
        return cls(match["job_id"])

    async def press(self, interaction: discord.Interaction) -> None:
        engine = engine_of(interaction)
        await engine.reports.reportable(self.job_id, interaction.user.id)

        async def file(modal_interaction: discord.Interaction, reason: str) -> None:
            report, job = await engine.reports.file(self.job_id, modal_interaction.user.id,
                                                    reason)
            await send_ephemeral(modal_interaction, text("report.sent"))
            message_id = await notifier_of(modal_interaction).community.post_report(
                report, job, report_view(report.id))
            if message_id is not None:
                await engine.reports.posted(report.id, message_id)

        await interaction.response.send_modal(
            ReasonModal("modal.report.title", "modal.report.label", file))


class ReportActionButton(PersistentButton,
                         template=rf"kling:report:(?P<action>remove|block|dismiss):"
                                  rf"(?P<report_id>{ID})"):
    """A moderator's decision on a report."""

    pressed_by = "moderators"

    def __init__(self, action: ReportAction, report_id: str) -> None:
        super().__init__(persistent_button(f"report:{action}", report_id))
        self.action: ReportAction = action
        self.report_id = report_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]
                             ) -> ReportActionButton:
        return cls(cast(ReportAction, match["action"]), match["report_id"])

    async def press(self, interaction: discord.Interaction) -> None:
        engine = engine_of(interaction)
        if self.action == "block":
            await engine.reports.open_report(self.report_id)  # refuse at once if decided

            async def block(modal_interaction: discord.Interaction, reason: str) -> None:
                await self.decide(modal_interaction, reason)

            await interaction.response.send_modal(
                ReasonModal("modal.block.title", "modal.reason.label", block))
            return
        await self.decide(interaction, None)

    async def decide(self, interaction: discord.Interaction, reason: str | None) -> None:
        engine = engine_of(interaction)
        decision = {"remove": "removed", "block": "blocked", "dismiss": "dismissed"}[self.action]
        report, job, entries = await engine.reports.decide(
            self.report_id, interaction.user.id, decision,  # type: ignore[arg-type]
            reason)
        await send_ephemeral(interaction, text("report.done"))
        community = notifier_of(interaction).community
        if decision == "removed":
            await community.remove_result(job)
        await community.report_closed(report, job, DECISION_LINES[decision],
                                      actor=interaction.user.id,
                                      requester=report.requester_id, reason=reason or "")
        for entry in entries:
            await notifier_of(interaction).post_audit(entry)


__all__ = ["ReportActionButton", "ReportButton", "ReviewButton", "review_decision"]

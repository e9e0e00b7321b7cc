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
from typing import Any, Literal, cast

import discord

from bot.discord.i18n.texts import text
from bot.discord.interactions import acknowledge, send_ephemeral
from bot.discord.posting.community_posts import review_decision
from bot.discord.posting.components import ID, persistent_button, report_view
from bot.discord.services import services_of
from bot.discord.ui.base import PersistentButton
from bot.discord.ui.community_modals import ReasonModal

log = logging.getLogger(__name__)

ReviewAction = Literal["approve", "reject"]
ReportAction = Literal["remove", "block", "dismiss"]
# A report's decision -> the line its log-channel message gets.
DECISION_LINES: dict[str, str] = {"removed": "report.removed", "blocked": "report.blocked",
                                  "dismissed": "report.dismissed"}


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
        """Rebuild the button from its custom id after a restart."""
        return cls(cast(ReviewAction, match["action"]), match["job_id"])

    async def press(self, interaction: discord.Interaction) -> None:
        """Approve at once; a rejection first asks for the reason (refused before the modal when the
        job was decided already)."""
        services = services_of(interaction)
        if self.action == "approve":
            job, _ = await services.reviews.approve(self.job_id, interaction.user.id)
            await send_ephemeral(interaction, text("review.done_approved"))
            await _closed(interaction, job.id)
            return
        await services.reviews.held(self.job_id)  # refuse at once if decided already

        async def reject(modal_interaction: discord.Interaction, reason: str) -> None:
            job, _ = await services.reviews.reject(self.job_id, modal_interaction.user.id,
                                                 reason)
            await send_ephemeral(modal_interaction, text("review.done_rejected"))
            await _closed(modal_interaction, job.id)

        await interaction.response.send_modal(
            ReasonModal("modal.reject.title", "modal.reason.label", reject))


async def _closed(interaction: discord.Interaction, job_id: str) -> None:
    """After a review decision, its message shows it (the audit line was posted when the
    decision was recorded)."""
    job = await services_of(interaction).store.get_job(job_id)
    if job is not None:
        await services_of(interaction).notifier.community.review_closed(job)


class ReportButton(PersistentButton, template=rf"kling:report:(?P<job_id>{ID})"):
    """Under every result: a member reports it to the moderators, with a reason."""

    pressed_by = "anyone"

    def __init__(self, job_id: str) -> None:
        super().__init__(persistent_button("report", job_id))
        self.job_id = job_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> ReportButton:
        """Rebuild the button from its custom id after a restart."""
        return cls(match["job_id"])

    async def press(self, interaction: discord.Interaction) -> None:
        """Ask for the reason, then file the report and post it to the log channel (refused
        before the modal when this member may not report the job)."""
        services = services_of(interaction)
        await services.reports.reportable(self.job_id, interaction.user.id)

        async def file(modal_interaction: discord.Interaction, reason: str) -> None:
            report, job = await services.reports.file(self.job_id, modal_interaction.user.id,
                                                    reason)
            await send_ephemeral(modal_interaction, text("report.sent"))
            message_id = await services_of(modal_interaction).notifier.community.post_report(
                report, job, report_view(report.id))
            if message_id is not None:
                await services.reports.posted(report.id, message_id)

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
        """Rebuild the button from its custom id after a restart."""
        return cls(cast(ReportAction, match["action"]), match["report_id"])

    async def press(self, interaction: discord.Interaction) -> None:
        """Remove and Dismiss decide at once; Block first asks for the reason (refused before the
        modal when the report was decided already)."""
        services = services_of(interaction)
        if self.action == "block":
            await services.reports.open_report(self.report_id)  # refuse at once if decided

            async def block(modal_interaction: discord.Interaction, reason: str) -> None:
                await self.decide(modal_interaction, reason)

            await interaction.response.send_modal(
                ReasonModal("modal.block.title", "modal.reason.label", block))
            return
        await self.decide(interaction, None)

    async def decide(self, interaction: discord.Interaction, reason: str | None) -> None:
        """Record the decision in the core and close the report's log message (the audit line
        is posted when the decision is recorded); Remove takes the result down first."""
        services = services_of(interaction)
        if self.action == "remove":
            await self.remove(interaction)
            return
        decision = {"block": "blocked", "dismiss": "dismissed"}[self.action]
        report, job, _ = await services.reports.decide(
            self.report_id, interaction.user.id, decision,  # type: ignore[arg-type]
            reason)
        await send_ephemeral(interaction, text("report.done"))
        await services.notifier.community.report_closed(
            report, job, DECISION_LINES[decision], actor=interaction.user.id,
            requester=report.requester_id, reason=reason or "")

    async def remove(self, interaction: discord.Interaction) -> None:
        """Mark the video removed, delete its messages, and tell the moderator what was
        deleted; the report closes only when nothing was refused (else it stays open, its
        buttons with it, to be pressed again)."""
        services = services_of(interaction)
        community = services.notifier.community
        _, job = await services.reports.take_down(self.report_id, interaction.user.id)
        await acknowledge(interaction)  # Discord may retry a failing delete for seconds
        removal = await community.remove_result(job)
        if removal.refused is not None:
            await send_ephemeral(interaction, text("report.remove_failed",
                                                   status=removal.refused))
            return
        report, job, _ = await services.reports.decide(self.report_id, interaction.user.id,
                                                       "removed")
        await send_ephemeral(interaction, text(
            "report.remove_done", deleted=removal.deleted, gone=removal.gone,
            stories=removal.stories))
        await community.removed_notice(job)
        await community.report_closed(report, job, DECISION_LINES["removed"],
                                      actor=interaction.user.id,
                                      requester=report.requester_id, reason="")


__all__ = ["ReportActionButton", "ReportButton", "ReviewButton", "review_decision"]

"""Reports: a member tells the moderators that a result should not be here.

One report per member per result (the store's unique key), never shown to the requester with
the reporter's name. Each report is decided once (compare-and-set) by a moderator: remove the
video, block the requester (the same block as `/quota block`), or dismiss; every decision is in
the audit log. A removal marks the job removed first and closes the report only once its
messages are gone: a delete Discord refused leaves the report open, to be tried again.
"""

from __future__ import annotations

import logging
import secrets
from typing import Literal, Protocol

from bot.clock import Clock
from bot.errors import DomainError
from bot.moderation import Moderation
from bot.store import AuditEntry, CommunityStore, Job, JobState, JobStore, Report

log = logging.getLogger(__name__)


class ReportStore(JobStore, CommunityStore, Protocol):
    """The reported job, and the reports."""


REPORT_REASON_LIMIT = 300
Decision = Literal["removed", "blocked", "dismissed"]


class ReportRefused(DomainError):
    """`report.already` (this member reported it before), `report.own`, `report.not_ready`
    (no result to report), `report.decided` (a moderator got there first), `access.gone`."""


class Reports:
    """Members' reports of results and moderators' decisions on them: one report per member
    per video, and every decision recorded once (Remove marks the job removed for good)."""

    def __init__(self, store: ReportStore, moderation: Moderation, clock: Clock) -> None:
        self.store = store
        self.moderation = moderation
        self.clock = clock

    async def reportable(self, job_id: str, reporter_id: int) -> Job:
        """The job behind a Report button, if this member may report it (before the modal)."""
        job = await self.store.get_job(job_id)
        if job is None or job.guild_id is None:
            raise ReportRefused("access.gone")
        if job.user_id == reporter_id:
            raise ReportRefused("report.own")
        if job.state not in (JobState.SUCCEEDED, JobState.DELIVERED):
            raise ReportRefused("report.not_ready")
        if await self.store.has_reported(job.id, reporter_id):  # before the modal opens
            raise ReportRefused("report.already")
        return job

    async def file(self, job_id: str, reporter_id: int, reason: str) -> tuple[Report, Job]:
        """File a member's report (checked as `reportable` again, after the modal): the report and
        the job it is about. Raises `ReportRefused`."""
        job = await self.reportable(job_id, reporter_id)
        assert job.guild_id is not None
        report = Report(id=secrets.token_hex(10), guild_id=job.guild_id, job_id=job.id,
                        reporter_id=reporter_id, requester_id=job.user_id,
                        reason=reason.strip()[:REPORT_REASON_LIMIT], status="open",
                        created_at=self.clock())
        if not await self.store.add_report(report):
            raise ReportRefused("report.already")
        log.info("Job %s reported (report %s)", job.id, report.id)
        return report, job

    async def posted(self, report_id: str, message_id: int) -> None:
        """Remember the report's message in the log channel, so the decision can close it."""
        await self.store.set_report_message(report_id, message_id)

    async def open_report(self, report_id: str) -> tuple[Report, Job]:
        """The report and its job while no moderator has decided it. Raises `ReportRefused`."""
        report = await self.store.get_report(report_id)
        job = await self.store.get_job(report.job_id) if report is not None else None
        if report is None or job is None:
            raise ReportRefused("access.gone")
        if report.status != "open":
            raise ReportRefused("report.decided")
        return report, job

    async def take_down(self, report_id: str, actor_id: int) -> tuple[Report, Job]:
        """Before a Remove deletes anything: the open report and its job, marked removed for
        good so no path posts it again, even when the delete fails and the report stays open
        to be tried again. Raises `ReportRefused`."""
        report, job = await self.open_report(report_id)
        await self.store.mark_removed(job.id, actor_id, self.clock())
        removed = await self.store.get_job(job.id)
        return report, removed or job

    async def decide(self, report_id: str, actor_id: int, decision: Decision,
                     reason: str | None = None) -> tuple[Report, Job, list[AuditEntry]]:
        """Close the report with `decision` (once); a block goes through the same path as
        `/quota block`. Returns the audit entries to post."""
        report, job = await self.open_report(report_id)
        decided = await self.store.decide_report(report_id, decision, actor_id, self.clock())
        if decided is None:
            raise ReportRefused("report.decided")
        entries = [await self.moderation.record(
            report.guild_id, actor_id, f"report_{decision}", report.requester_id, None,
            job.id, reason)]
        if decision == "blocked":
            entries.append(await self.moderation.block(
                report.guild_id, actor_id, report.requester_id, reason or ""))
        return decided, job, entries

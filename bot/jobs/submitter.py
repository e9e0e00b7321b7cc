"""The create call: send a claimed job to Kling once, and sort Kling's answer into the job's
next state.

A create is never sent twice for one claim: an answer that proves Kling did not take the job
(rate limited, unreachable before the request went out) puts it back in the queue; one that
leaves it unknown makes the job unconfirmed (a late callback or the deadline settles it); a
refusal fails it with a refund, telling the operator when the fault is theirs (token, address,
balance). Kling's risk control refusing the content (also a 403) fails that job alone.
"""

from __future__ import annotations

import logging

from bot import metrics
from bot.clock import Clock
from bot.config import Settings
from bot.errors import Notice
from bot.jobs.notifier import JobNotifier, show_progress
from bot.jobs.outcomes import Failures, refused_content
from bot.jobs.pause import BalancePause, DispatchPause
from bot.kling.client import MAX_RETRY_AFTER, KlingClient
from bot.kling.errors import (
    KlingAuthError,
    KlingBadRequest,
    KlingBalanceExhausted,
    KlingContentRefused,
    KlingError,
    KlingNotFound,
    KlingRateLimited,
    KlingServerError,
    KlingUnreachable,
)
from bot.logs import job_context
from bot.store import Job, JobState, JobStore

log = logging.getLogger(__name__)


class Submitter:
    """Sends a claimed job to Kling once and sorts Kling's answer into the job's next state."""

    def __init__(self, *, store: JobStore, kling: KlingClient, notifier: JobNotifier,
                 failures: Failures, balance: BalancePause, dispatch_pause: DispatchPause,
                 settings: Settings, clock: Clock) -> None:
        self.store = store
        self.kling = kling
        self.notifier = notifier
        self.failures = failures
        self.balance = balance
        self.dispatch_pause = dispatch_pause
        self.settings = settings
        self.clock = clock

    async def send(self, job: Job) -> None:
        """Send a job claimed for submit (RESERVED) to Kling once; classify the answer into
        the job's next state."""
        with job_context(job.id):
            await self._send(job)

    async def _send(self, job: Job) -> None:
        fail = self.failures.fail
        callback_url = self.settings.callback_url(job.callback_token)
        try:
            task_id = await self.kling.create(job.request, callback_url)
        except KlingRateLimited as exc:
            await self._requeue(job, exc.retry_after, "rate limited")
        except KlingUnreachable as exc:
            if exc.request_sent:
                await self.unconfirmed(job)
            else:
                await self._requeue(job, None, "unreachable")
        except KlingBadRequest as exc:
            await fail(job, "failed.rejected", code=exc.code, reason=exc.message)
        except KlingAuthError as exc:
            log.error("OPERATOR: the Kling API refused the token (%s: %s). Set KLING_API_TOKEN "
                      "to a valid token; job %s was refunded.", exc.code, exc.message, job.id)
            await fail(job, "failed.misconfigured", code=exc.code)
        except KlingNotFound as exc:
            log.error("OPERATOR: the Kling API answered 404 (%s): check KLING_API_BASE; job %s "
                      "was refunded.", exc.code, job.id)
            await fail(job, "failed.misconfigured_base", code=exc.code)
        except KlingContentRefused as exc:
            # Risk control refused this request's content: this job only, nothing paused.
            key, words = refused_content(exc.code, exc.message)
            await fail(job, key, code=exc.code, **words)
        except KlingBalanceExhausted as exc:
            await self._used_up(job, exc)
        except KlingServerError as exc:
            # Never re-sent: the task may exist. The API said it failed, so refund now.
            await fail(job, "failed.server_error", code=exc.code)
        except KlingError as exc:
            await fail(job, "failed.rejected", code=exc.code, reason=exc.message)
        else:
            await self._submitted(job, task_id)

    async def unconfirmed(self, job: Job) -> None:
        """The create may or may not have reached Kling. Never send it again."""
        if self.settings.callbacks_enabled:
            # A late callback finds the job by its token; otherwise the deadline refunds it.
            now = self.clock()
            moved = await self.store.transition(
                job.id, (JobState.RESERVED,), JobState.SUBMITTED, submitted_at=now,
                updated_at=now, deadline_at=now + self.settings.job_deadline_seconds)
            log.warning("Job %s: create unconfirmed; waiting for a callback", job.id)
            if moved is not None:
                await show_progress(self.notifier, moved)
        else:
            await self.failures.fail(job, "failed.unconfirmed")

    async def _submitted(self, job: Job, task_id: str) -> None:
        now = self.clock()
        # The deadline counts from Kling's acceptance, not from the queue.
        moved = await self.store.transition(
            job.id, (JobState.RESERVED,), JobState.SUBMITTED, task_id=task_id,
            submitted_at=now, updated_at=now, next_poll_at=now + self._first_poll_delay(),
            deadline_at=now + self.settings.job_deadline_seconds,
        )
        if moved is None:
            # A callback beat the create's answer, or recovery marked the job unconfirmed:
            # keep the task id so the poller can still find the task.
            await self.store.update(job.id, (JobState.SUBMITTED, JobState.SUCCEEDED,
                                             JobState.DELIVERED, JobState.FAILED),
                                    task_id=task_id)
            return
        log.info("Job %s submitted as task %s", job.id, task_id)
        metrics.QUEUE_WAIT_SECONDS.observe(max(0.0, now - job.created_at))
        await show_progress(self.notifier, moved)

    async def _requeue(self, job: Job, retry_after: float | None, why: str) -> None:
        """Kling certainly did not take the job: back into the queue, and pause dispatch
        (as long as Kling asked, within reason)."""
        delay = max(min(retry_after or 0.0, MAX_RETRY_AFTER),
                    self.settings.poll_interval_seconds * 2)
        self.dispatch_pause.extend(delay)
        moved = await self.store.transition(job.id, (JobState.RESERVED,), JobState.QUEUED,
                                            submit_started_at=None, dispatched_at=None,
                                            updated_at=self.clock())
        log.warning("Job %s: Kling %s; dispatch paused for %.0fs", job.id, why, delay)
        if moved is not None:
            await show_progress(self.notifier, moved)

    async def _used_up(self, job: Job, exc: KlingError) -> None:
        """The balance is used up: refuse new jobs for a while (`BalancePause`), refund this
        one, and tell the moderators once per pause."""
        first = self.balance.start(exc.code)
        await self.failures.fail(job, "failed.used_up", code=exc.code)
        if first:
            try:
                await self.notifier.alert(job.guild_id, Notice("alert.used_up"))
            except Exception:
                log.exception("Could not alert moderators about the used-up balance")

    def _first_poll_delay(self) -> float:
        interval = self.settings.poll_interval_seconds
        # With callbacks the poller is only the safety net, so it looks later.
        return interval * 12 if self.settings.callbacks_enabled else interval

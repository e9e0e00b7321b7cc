"""Delivery: post a SUCCEEDED job's video, then mark it DELIVERED and commit its credits.

Exactly once, whatever crashes: in this process a set of running deliveries keeps a second one
from starting; across processes the store's claim does, with a lease renewed for as long as the
delivery runs (a download may take minutes, then the upload). A failed delivery is retried with
back-off and refunded in the end; a video at an address the bot must not fetch from is refused.
A result whose thread is still being started is put off through the store until the thread is
known or its lease runs out (`bot.jobs.placement`), never awaited in memory.
"""

from __future__ import annotations

import asyncio
import logging

from bot import metrics
from bot.clock import Clock
from bot.download import UnsafeVideoUrl
from bot.jobs.notifier import JobNotifier
from bot.jobs.outcomes import Failures
from bot.jobs.placement import thread_pending, when_placed
from bot.jobs.supervisor import Supervisor
from bot.logs import job_context
from bot.store import Job, JobState, LedgerStatus, Store

log = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 8


class Delivery:
    def __init__(self, *, store: Store, notifier: JobNotifier, failures: Failures,
                 supervisor: Supervisor, clock: Clock, lease_seconds: float,
                 instance_id: str) -> None:
        self.store = store
        self.notifier = notifier
        self.failures = failures
        self.supervisor = supervisor
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.instance_id = instance_id
        self._delivering: set[str] = set()  # jobs whose delivery runs in this process

    def deliver_soon(self, job_id: str) -> None:
        """Deliver the job in the background."""
        self.supervisor.spawn(self.deliver(job_id), name=f"deliver-{job_id}")

    async def deliver_due(self) -> None:
        """Start the deliveries that are due (new results, retries after their back-off, and
        claims that lost their process) and not already running here."""
        for job in await self.store.jobs_due_for_delivery(self.clock()):
            if job.id not in self._delivering:
                self.deliver_soon(job.id)

    async def deliver(self, job_id: str) -> None:
        """Post a SUCCEEDED job's video, then mark it DELIVERED and commit its credits.

        One delivery of a job runs at a time: in this process a set of running deliveries
        says so; across processes the claim's lease does, renewed for as long as the
        delivery runs (a download may take minutes, then the upload).
        """
        if job_id in self._delivering:
            return
        self._delivering.add(job_id)
        try:
            with job_context(job_id):
                await self._deliver(job_id)
        finally:
            self._delivering.discard(job_id)

    async def _deliver(self, job_id: str) -> None:
        now = self.clock()
        lease = await thread_pending(self.store, job_id, now)
        if lease is not None:
            # Its thread is being started: put off until it is known (or its lease runs out).
            if await self.store.postpone_delivery(job_id, now, lease):
                self.supervisor.spawn(when_placed(self.store, job_id, self.clock, self.deliver),
                                      name=f"deliver-{job_id}")
            return
        until = now + self.lease_seconds
        job = await self.store.claim_for_delivery(job_id, now, until, self.instance_id)
        if job is None:
            return
        # The claim keeps the first claim's time: an earlier one means an earlier delivery
        # started and never recorded its message (a crash, or a failure after Discord may
        # have taken it), so the notifier looks for that message before posting again.
        resumed = job.delivery_started_at != now or job.delivery_attempts > 0
        try:
            message_id = await self._post_holding_claim(job, until, resumed)
        except UnsafeVideoUrl as exc:
            await self._refuse_video(job, exc)
            return
        except Exception:
            await self._delivery_failed(job)
            return
        if message_id is None:
            return
        delivered = await self.store.transition(
            job.id, (JobState.SUCCEEDED,), JobState.DELIVERED, ledger=LedgerStatus.COMMITTED,
            result_message_id=message_id, updated_at=self.clock(),
        )
        if delivered is not None:
            log.info("Job %s delivered as message %s", job.id, message_id)
            now = self.clock()
            metrics.JOBS_FINISHED.labels(outcome="delivered").inc()
            metrics.END_TO_END_SECONDS.observe(max(0.0, now - job.created_at))
            if job.finished_at is not None:
                metrics.DELIVERY_SECONDS.observe(max(0.0, now - job.finished_at))

    async def _post_holding_claim(self, job: Job, until: float, resumed: bool) -> int | None:
        """Run the notifier's delivery while a heartbeat renews the claim. Returns the result
        message's id, or None when the claim was lost (the delivery is then abandoned: the
        process that took the job delivers it). Raises what the delivery raised."""
        posting = asyncio.create_task(self.notifier.deliver(job, resumed=resumed),
                                      name=f"post-{job.id}")
        keeping = asyncio.create_task(self._keep_claim(job.id, until), name=f"lease-{job.id}")
        try:
            await asyncio.wait({posting, keeping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            keeping.cancel()
            if not posting.done():
                posting.cancel()
            await asyncio.gather(posting, keeping, return_exceptions=True)
        if posting.cancelled():
            return None
        return posting.result()

    async def _keep_claim(self, job_id: str, until: float) -> None:
        """Renew the delivery's lease every third of it; return when the claim is lost. A
        failed renewal (the database is briefly away) is tried again on the next beat: the
        lease still has two thirds to run."""
        lease = self.lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            renewed = self.clock() + lease
            try:
                kept = await self.store.renew_delivery_lease(job_id, until, renewed)
            except Exception:
                log.exception("Job %s: could not renew its delivery lease", job_id)
                continue
            if not kept:
                log.warning("Job %s: its delivery lost its claim (another delivery took the "
                            "job); stopping this one", job_id)
                return
            until = renewed

    async def _delivery_failed(self, job: Job) -> None:
        """Count the failure and retry later with back-off; give up (and refund) after
        `MAX_DELIVERY_ATTEMPTS` failures."""
        failures = job.delivery_attempts + 1
        if failures >= MAX_DELIVERY_ATTEMPTS:
            log.exception("Job %s: delivery failed %d times; giving up", job.id, failures)
            await self.failures.fail(job, "failed.undeliverable",
                                     expected=(JobState.SUCCEEDED,))
            return
        delay = min(300.0, 5.0 * 2 ** failures)
        log.exception("Job %s: delivery failed; retrying in %.0fs", job.id, delay)
        await self.store.update(job.id, (JobState.SUCCEEDED,), delivery_attempts=failures,
                                next_attempt_at=self.clock() + delay)

    async def _refuse_video(self, job: Job, exc: UnsafeVideoUrl) -> None:
        """The result is at an address the bot must not fetch from: nothing was fetched, no
        link is posted (one to a private host is useless, and keeping it out is the point),
        the job fails with a refund, and the operator learns which host it was."""
        log.error("OPERATOR: job %s: the video is on host %s, which the bot does not fetch from "
                  "(%s). Nothing was downloaded and the job was refunded. If you trust that "
                  "host, add it to TRUSTED_VIDEO_HOSTS.", job.id, exc.host, exc.reason)
        await self.failures.fail(job, "failed.unsafe_video", code="unsafe_video_url",
                                 expected=(JobState.SUCCEEDED,))

"""Delivery: post a SUCCEEDED job's video, then mark it DELIVERED (with where the result
message really went) and commit its credits.

What is posted is the core's decision (`Publisher.result`: attach, fit or link, the buttons,
the notes); the notifier only sends it and reports where. When Discord refuses the file as too
large, the same result goes as its link.

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
from bot.publishing import Posted, Publisher, RemovedPart, UploadRefused
from bot.publishing.results import REFUSED_AS_TOO_LARGE
from bot.store import Job, JobState, JobStore, LedgerStatus

log = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 8


class Delivery:
    """Posts SUCCEEDED jobs' videos once each (see the module's docstring)."""

    def __init__(self, *, store: JobStore, notifier: JobNotifier, publisher: Publisher,
                 failures: Failures,
                 supervisor: Supervisor, clock: Clock, lease_seconds: float,
                 instance_id: str) -> None:
        self.store = store
        self.notifier = notifier
        self.publisher = publisher
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
            posted = await self._post_holding_claim(job, until, resumed)
        except UnsafeVideoUrl as exc:
            await self._refuse_video(job, exc)
            return
        except RemovedPart:
            # Reported and removed between its post and the record of it: it is not posted
            # again, and the job ends delivered (Kling made it; the credits stand).
            log.info("Job %s: removed by a moderator before its delivery was recorded", job.id)
            await self.store.transition(job.id, (JobState.SUCCEEDED,), JobState.DELIVERED,
                                        ledger=LedgerStatus.COMMITTED, updated_at=self.clock())
            return
        except Exception:
            await self._delivery_failed(job)
            return
        if posted is None:
            return
        delivered = await self.store.transition(
            job.id, (JobState.SUCCEEDED,), JobState.DELIVERED, ledger=LedgerStatus.COMMITTED,
            result_message_id=posted.message_id, result_channel_id=posted.channel_id,
            updated_at=self.clock(),
        )
        if delivered is not None:
            log.info("Job %s delivered as message %s in channel %s", job.id, posted.message_id,
                     posted.channel_id)
            now = self.clock()
            metrics.JOBS_FINISHED.labels(outcome="delivered").inc()
            metrics.END_TO_END_SECONDS.observe(max(0.0, now - job.created_at))
            if job.finished_at is not None:
                metrics.DELIVERY_SECONDS.observe(max(0.0, now - job.finished_at))

    async def _publish(self, job: Job, resumed: bool) -> Posted:
        """Prepare the result (download, fit or link, buttons) and have the notifier post it;
        Discord refusing the file as too large gets the link form instead."""
        limit = await self.notifier.upload_limit(job.guild_id)
        async with self.publisher.result(job, limit) as post:
            try:
                return await self.notifier.post_result(post, resumed=resumed)
            except UploadRefused:
                log.info("Job %s: Discord refused the file as too large; posting the link",
                         job.id)
                return await self.notifier.post_result(post.as_link(REFUSED_AS_TOO_LARGE),
                                                       resumed=resumed)

    async def _post_holding_claim(self, job: Job, until: float, resumed: bool
                                  ) -> Posted | None:
        """Post the result while a heartbeat renews the claim. Returns where it was posted,
        or None when the claim was lost (the delivery is then abandoned: the process that
        took the job delivers it). Raises what the delivery raised."""
        posting = asyncio.create_task(self._publish(job, resumed), name=f"post-{job.id}")
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

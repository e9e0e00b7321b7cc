"""Start-up: pick up where a stopped process left off, then run the routine work at once.

A RESERVED job's create may have reached Kling, so it becomes unconfirmed (never sent twice).
This process's own claims (same INSTANCE_ID) are taken back at once; with a single process
every claim is its own; other live processes' claims are left alone until they are stale
(`Maintenance.recover_stale`). A job whose card is stored but whose thread's start never ended
gets its thread started again (or, when that fails, its results go to the channel).
"""

from __future__ import annotations

import logging

from bot.jobs.delivery import Delivery
from bot.jobs.dispatcher import Dispatcher
from bot.jobs.maintenance import Maintenance
from bot.jobs.notifier import JobNotifier
from bot.jobs.placement import Placements
from bot.jobs.review import ask_moderators
from bot.jobs.submitter import Submitter
from bot.store import JobState, JobStore

log = logging.getLogger(__name__)


class Recovery:
    """Start-up after a stop or a crash: every unfinished job is taken up where it was."""

    def __init__(self, *, store: JobStore, submitter: Submitter, maintenance: Maintenance,
                 dispatcher: Dispatcher, delivery: Delivery, notifier: JobNotifier,
                 placements: Placements, instance_id: str) -> None:
        self.store = store
        self.notifier = notifier
        self.submitter = submitter
        self.maintenance = maintenance
        self.dispatcher = dispatcher
        self.delivery = delivery
        self.placements = placements
        self.instance_id = instance_id

    async def recover(self, *, single_process: bool) -> None:
        """Take back this process's claims, settle its creates, then expire, dispatch and
        deliver what is due."""
        me = None if single_process else self.instance_id
        await self.store.release_delivery_leases(me)
        for job in await self.store.jobs_in_state((JobState.RESERVED,)):
            if me is None or job.owner == me:
                await self.submitter.unconfirmed(job)
        await self.maintenance.recover_stale()
        # A held job whose moderators were never asked (Discord failed, or the process
        # stopped before it posted the ask) is asked now, not left to its timeout.
        for job in await self.store.jobs_in_state((JobState.REVIEW,)):
            if job.review_message_id is None and (me is None or job.owner in (None, me)):
                await ask_moderators(self.store, self.notifier, job)
        await self.placements.restart_threads(me)
        counts = await self.store.count_by_state()
        log.info("Recovery: %s", ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        await self.maintenance.expire_overdue()
        await self.dispatcher.dispatch()
        await self.delivery.deliver_due()

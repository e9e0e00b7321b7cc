"""The job pieces wired together in one place: which piece gets which collaborators. Each piece
is given what it uses in its constructor; the one cycle of the job life (ending a job frees a
slot -> the dispatcher starts a create -> the submitter may end the job) is broken here with a
narrow trigger, `slot_freed`, so no piece holds the one that holds it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.community.filter_checks import FilterChecks
from bot.config import Settings
from bot.jobs.delivery import Delivery
from bot.jobs.dispatcher import Dispatcher
from bot.jobs.maintenance import Maintenance, stale_submit_seconds
from bot.jobs.notifier import JobNotifier
from bot.jobs.outcomes import Failures, Results
from bot.jobs.pause import BalancePause, DispatchPause
from bot.jobs.placement import Placements
from bot.jobs.queue_plan import Limits
from bot.jobs.recovery import Recovery
from bot.jobs.requests import Reservations
from bot.jobs.service import JobService
from bot.jobs.submitter import Submitter
from bot.jobs.supervisor import Supervisor
from bot.kling.capabilities import CapabilityTable
from bot.kling.client import KlingClient
from bot.policy import ServerPolicy
from bot.publishing import Publisher
from bot.quotas import CostTable, QuotaBook
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobPieces:
    """Every piece of the job life, for the engine to hand out (and tests to reach)."""

    service: JobService
    supervisor: Supervisor
    balance: BalancePause
    dispatch_pause: DispatchPause
    failures: Failures
    results: Results
    delivery: Delivery
    submitter: Submitter
    dispatcher: Dispatcher
    maintenance: Maintenance
    recovery: Recovery


@dataclass(frozen=True)
class _Ending:
    """The pieces that end jobs, which the dispatcher and those after it are given."""

    failures: Failures
    results: Results
    delivery: Delivery
    submitter: Submitter


def assemble_jobs(*, store: Store, kling: KlingClient, notifier: JobNotifier,
                  publisher: Publisher, settings: Settings, capabilities: CapabilityTable,
                  costs: CostTable, quota: QuotaBook, limits: Limits, clock: Clock,
                  filter_checks: FilterChecks) -> JobPieces:
    """Build the job life's pieces, each given what it uses, in the one order that works (no
    piece calls back into the one holding it)."""
    supervisor = Supervisor()
    balance = BalancePause(clock)
    dispatch_pause = DispatchPause(clock)

    def slot_freed() -> None:
        # Called only once everything is built: the dispatcher comes last.
        dispatcher.dispatch_soon()

    ending = _ending(store=store, kling=kling, notifier=notifier, publisher=publisher,
                     settings=settings,
                     supervisor=supervisor, balance=balance, dispatch_pause=dispatch_pause,
                     clock=clock, slot_freed=slot_freed)
    dispatcher = Dispatcher(store=store, submitter=ending.submitter, notifier=notifier,
                            supervisor=supervisor, limits=limits, pause=dispatch_pause,
                            clock=clock, instance_id=settings.instance_id)
    maintenance = Maintenance(
        store=store, failures=ending.failures, submitter=ending.submitter,
        delivery=ending.delivery, dispatch_soon=dispatcher.dispatch_soon, clock=clock,
        queue_timeout_seconds=settings.queue_timeout_seconds,
        job_deadline_seconds=settings.job_deadline_seconds,
        stale_submit_seconds=stale_submit_seconds(kling.longest_create()))
    placements = Placements(store=store, notifier=notifier, failures=ending.failures,
                            supervisor=supervisor, clock=clock,
                            thread_wait_seconds=settings.thread_wait_seconds)
    recovery = Recovery(store=store, submitter=ending.submitter, maintenance=maintenance,
                        dispatcher=dispatcher, delivery=ending.delivery, notifier=notifier,
                        placements=placements, instance_id=settings.instance_id)
    policy = ServerPolicy(store=store, capabilities=capabilities, alerts=notifier)
    reservations = Reservations(
        store=store, policy=policy, capabilities=capabilities, costs=costs, quota=quota,
        balance=balance, failures=ending.failures, slot_freed=slot_freed,
        queue_timeout_seconds=settings.queue_timeout_seconds, clock=clock,
        filter_checks=filter_checks)
    service = JobService(
        store=store, reservations=reservations,
        placements=placements,
        dispatcher=dispatcher, balance=balance, supervisor=supervisor, quota=quota, clock=clock)
    return JobPieces(service=service, supervisor=supervisor, balance=balance,
                     dispatch_pause=dispatch_pause, failures=ending.failures,
                     results=ending.results, delivery=ending.delivery,
                     submitter=ending.submitter, dispatcher=dispatcher,
                     maintenance=maintenance, recovery=recovery)


def _ending(*, store: Store, kling: KlingClient, notifier: JobNotifier, publisher: Publisher,
            settings: Settings,
            supervisor: Supervisor, balance: BalancePause, dispatch_pause: DispatchPause,
            clock: Clock, slot_freed: Callable[[], object]) -> _Ending:
    failures = Failures(store=store, notifier=notifier, supervisor=supervisor, clock=clock,
                        slot_freed=slot_freed)
    delivery = Delivery(store=store, notifier=notifier, publisher=publisher, failures=failures,
                        supervisor=supervisor, clock=clock,
                        lease_seconds=settings.delivery_lease_seconds,
                        instance_id=settings.instance_id)
    results = Results(store=store, failures=failures, clock=clock,
                      deliver_soon=delivery.deliver_soon, slot_freed=slot_freed)
    submitter = Submitter(store=store, kling=kling, notifier=notifier, failures=failures,
                          balance=balance, dispatch_pause=dispatch_pause, settings=settings,
                          clock=clock)
    return _Ending(failures, results, delivery, submitter)

"""The job's life, one module per responsibility (design.md, "The job's life"):

- `requests`: a member's ask: the server's policy (`bot.policy`), validate, price (and quote),
  reserve, cancel
- `placement`: the job's card and thread, stored as soon as known; the thread started in the
  background, a delivery put off (through the store) while it starts
- `queue_plan`: the fair queue's rule (pure): who starts now, where the others stand
- `dispatcher`: the fair queue's pass: coalesced passes, claims, renumbering
- `submitter`: the create call, and Kling's answers sorted into the job's next state
- `pause`: the balance pause (new jobs refused) and the dispatch pause (Kling said slow down)
- `outcomes`: results recorded exactly once (late ones too); failures refunded and told,
  stored as a code with parameters that the Discord layer words
- `delivery`: the video posted exactly once, under a lease, with retries
- `maintenance`: deadlines, the queue timeout, stale creates, due deliveries (the poller's beat)
- `recovery`: start-up after a stop or a crash
- `supervisor`: background tasks kept and their failures logged
- `notifier`: what the job life needs from Discord (`JobNotifier`)
- `chains`: the parts of a chain of Extends and Continues, joined once
- `assembly`: the pieces wired together; `service`: the facade the Discord layer calls

The names other modules use are re-exported here.
"""

from bot.clock import Clock
from bot.jobs.assembly import JobPieces, assemble_jobs
from bot.jobs.chains import Chains, NoChain, continues
from bot.jobs.delivery import MAX_DELIVERY_ATTEMPTS
from bot.jobs.maintenance import STALE_SUBMIT_FACTOR, STALE_SUBMIT_SLACK
from bot.jobs.notifier import CannotPostHere, JobNotifier
from bot.jobs.outcomes import (
    DEADLINE_CODE,
    LATE_WATCH_CODES,
    LATE_WATCH_SECONDS,
    QUEUE_TIMEOUT_CODE,
)
from bot.jobs.pause import BALANCE_PAUSE_SECONDS, KlingPaused
from bot.jobs.queue_plan import Limits, plan_dispatch
from bot.jobs.requests import (
    JobNotCancellable,
    JobRequest,
    OfferChanged,
    PriceNeedsConfirmation,
    PriceRose,
    Quote,
    new_job_id,
)
from bot.jobs.service import JobService
from bot.store import IN_FLIGHT, UNFINISHED, Job

__all__ = [
    "BALANCE_PAUSE_SECONDS",
    "DEADLINE_CODE",
    "IN_FLIGHT",
    "LATE_WATCH_CODES",
    "LATE_WATCH_SECONDS",
    "MAX_DELIVERY_ATTEMPTS",
    "QUEUE_TIMEOUT_CODE",
    "STALE_SUBMIT_FACTOR",
    "STALE_SUBMIT_SLACK",
    "UNFINISHED",
    "CannotPostHere",
    "Chains",
    "Clock",
    "Job",
    "JobNotCancellable",
    "JobNotifier",
    "JobPieces",
    "JobRequest",
    "JobService",
    "KlingPaused",
    "Limits",
    "NoChain",
    "OfferChanged",
    "PriceNeedsConfirmation",
    "PriceRose",
    "Quote",
    "assemble_jobs",
    "continues",
    "new_job_id",
    "plan_dispatch",
]

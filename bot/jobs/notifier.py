"""What the job pieces need from Discord, as an interface (`JobNotifier`), so the whole job
life runs in a test without a gateway; and the two ways of calling it that must never fail a
job: a card refresh and a failure notice are logged when Discord is away, not raised."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.errors import DomainError, Notice
from bot.publishing import Posted, ResultPost
from bot.store import Job

log = logging.getLogger(__name__)


class CannotPostHere(DomainError):
    """The notifier can never post in the job's channel (no permission, no such channel), so
    the job must not run: its result could not be delivered. The code says why (a code without
    params: it is stored as the failure's `cause`)."""


class JobNotifier(Protocol):
    """What the job service needs from Discord. The real one posts with the bot's own token,
    by channel and message id, so nothing depends on a 15-minute interaction token."""

    async def post_card(self, job: Job) -> int:
        """Post the job's status card in its channel (where the command's response could not
        show it); its message id. Raises `CannotPostHere` where the bot may never post."""

    async def start_thread(self, job: Job) -> int | None:
        """Start the job's thread from its card (`status_message_id`), or name the thread it
        belongs in already; None where it can have none (its results go to the channel)."""

    async def progress(self, job: Job) -> None:
        """The job moved on: refresh its card."""

    async def upload_limit(self, guild_id: int | None) -> int:
        """The largest file (bytes) the server takes as an attachment."""

    async def post_result(self, post: ResultPost, *, resumed: bool) -> Posted:
        """Post the result the core prepared (in the job's thread, or its channel when the
        thread is gone) and say where it went. `resumed`: an earlier delivery of this job
        started and never recorded its message, so it may have been posted already: find it
        and report it rather than post it twice. Raises `UploadRefused` when Discord refuses
        the file as too large (the core then gives the link form)."""

    async def failed(self, job: Job) -> None:
        """Tell the requester how the job ended, and that nothing was charged."""

    async def alert(self, guild_id: int | None, notice: Notice) -> None:
        """Something the server's moderators (or the operator) must hear about."""

    async def ask_review(self, job: Job) -> int | None:
        """Ask the server's moderators to approve or reject a job held for review (in the
        log channel, with buttons); the id of the message that asks, if one was posted."""


async def show_progress(notifier: JobNotifier, job: Job) -> None:
    """Refresh the job's card; a Discord fault is logged (the next change refreshes it)."""
    try:
        await notifier.progress(job)
    except Exception:
        log.exception("Job %s: could not update its card", job.id)


async def tell_failed(notifier: JobNotifier, job: Job) -> None:
    """Tell the requester the job failed; a Discord fault is logged, never raised into the
    code that ended the job (the refund already stands)."""
    try:
        await notifier.failed(job)
    except Exception:
        log.exception("Job %s: could not tell the requester it failed", job.id)

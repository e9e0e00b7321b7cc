"""The callback receiver: Kling's POST of a finished task, turned into a stored result.

Callbacks are fast but can be lost (the bot was down, the network hiccuped); the poller is the
slow, certain way. Both hand results to `Results.record`, whose compare-and-set makes the
second arrival a no-op. Knows nothing of aiohttp, so it is easy to test and to reuse behind
another server.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from bot.jobs.outcomes import Results
from bot.kling.results import TaskStatus, parse_result
from bot.store import JobStore

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class CallbackOutcome:
    """What the web server answers Kling: the HTTP status and a short reason (never the token)."""

    status: int
    reason: str


class CallbackReceiver:
    """Turns a callback body into a stored result for the job its token names; `counts` keeps how
    many callbacks got each HTTP status, for `/metrics`."""

    def __init__(self, *, store: JobStore, results: Results) -> None:
        self.store = store
        self.results = results
        self.counts: dict[int, int] = {}

    async def receive(self, token: str, body: bytes) -> CallbackOutcome:
        """Check and record one callback. An oversized, unknown or malformed one changes nothing; a
        finished result is recorded once, however often it comes."""
        outcome = await self._receive(token, body)
        self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
        return outcome

    async def _receive(self, token: str, body: bytes) -> CallbackOutcome:
        if len(body) > MAX_CALLBACK_BYTES:
            return CallbackOutcome(413, "body too large")
        job = await self.store.get_job_by_token(token) if token else None
        if job is None:
            # Never echo the token: it is a credential.
            log.warning("Callback with an unknown token rejected")
            return CallbackOutcome(404, "unknown job")
        try:
            payload: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            log.warning("Job %s: callback body is not JSON", job.id)
            return CallbackOutcome(400, "body is not JSON")
        if not isinstance(payload, (dict, list)):
            return CallbackOutcome(400, "body is not a JSON object")
        result = parse_result(payload, job.task_id)
        if job.task_id and result.task_id and result.task_id != job.task_id:
            log.warning("Job %s: callback names another task; ignored", job.id)
            return CallbackOutcome(400, "task id does not match")
        if result.status is TaskStatus.RUNNING:
            return CallbackOutcome(200, "noted")
        await self.results.record(job, result, "callback")
        return CallbackOutcome(200, "ok")

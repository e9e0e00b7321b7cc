"""Video tasks: what the platform stores for each (`FakeTask`, rendered as its task record,
its flat result and its callback body) and the table that creates, runs and finishes them.

A task "runs" for ``processing_seconds``, then finishes by itself (successfully unless a knob,
a queued outcome or a preset outcome says otherwise), or waits for ``finish()`` by hand when
``auto_finish`` is off or ``never_finish`` is on. A finished task sends its callback.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from testkit.fakes.kling.callbacks import CallbackSender
from testkit.fakes.kling.knobs import KlingKnobs
from testkit.fakes.kling.runtime import POLL_SECONDS, Runtime

TaskState = Literal["running", "succeed", "failed"]


@dataclass
class FakeTask:
    """The fake's state for one video task (what the platform would store for it)."""

    task_id: str
    request: dict[str, Any]
    trace_id: str
    created_at: float
    started_at: float
    callback_url: str | None
    model: str
    mode: str | None
    duration: float
    state: TaskState = "running"
    finished_at: float | None = None
    video_id: str | None = None
    video_url: str | None = None
    error_message: str | None = None
    video_size: int | None = None
    """Per-task override of ``FakeKling.video_size`` (set with ``fake.set_video_size``)."""
    outcome: tuple[bool, str | None] | None = None
    """Preset ``(succeed, failure message)`` for the automatic finish; None = use the knobs."""
    finished: asyncio.Event = field(default_factory=asyncio.Event, repr=False, compare=False)

    @property
    def done(self) -> bool:
        """True once the task reached a terminal state."""
        return self.state != "running"

    def response(self) -> dict[str, Any] | None:
        """The flat result (``response`` of a task record), or None while running."""
        if self.state == "succeed":
            return {
                "success": True,
                "task_id": self.task_id,
                "video_id": self.video_id,
                "video_url": self.video_url,
                "duration": f"{self.duration:.3f}",
                "state": "succeed",
            }
        if self.state == "failed":
            return {
                "success": False,
                "task_id": self.task_id,
                "state": "failed",
                "error": {"code": "api_error", "message": self.error_message},
            }
        return None

    def callback_body(self) -> dict[str, Any]:
        """The JSON POSTed to ``callback_url`` (callback_succeeded/failed.json shapes)."""
        body = self.response()
        if body is None:
            raise ValueError(f"task {self.task_id} is still running: no callback to send")
        if self.state == "failed":
            body["trace_id"] = self.trace_id  # the failed fixture carries it, the success one not
        return body

    def record(self) -> dict[str, Any]:
        """The task record ``/kling/tasks`` answers (task_running/succeeded/failed.json)."""
        rec: dict[str, Any] = {
            "id": self.task_id,
            "type": "videos",
            "created_at": self.created_at,
            "started_at": self.started_at,
        }
        if self.finished_at is not None:
            rec["finished_at"] = self.finished_at
            rec["elapsed"] = round(self.finished_at - self.started_at, 3)
        rec["request"] = self.request
        rec["trace_id"] = self.trace_id
        response = self.response()
        if response is not None:
            rec["response"] = response
        return rec


class TaskTable:
    """Every task the fake created, by id, and the ones its results' video ids name."""

    def __init__(self, knobs: KlingKnobs, runtime: Runtime, callbacks: CallbackSender) -> None:
        self._knobs = knobs
        self._runtime = runtime
        self._callbacks = callbacks
        self.tasks: dict[str, FakeTask] = {}
        self._queued_outcomes: deque[tuple[bool, str | None]] = deque()
        self._video_ids: dict[str, str] = {}  # video_id -> task_id

    def get(self, task_id: str) -> FakeTask:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise KeyError(f"unknown task {task_id!r}") from None

    def by_video_id(self, video_id: str) -> FakeTask | None:
        """The task whose result has this video id (the source of an extend)."""
        task_id = self._video_ids.get(video_id)
        return self.tasks[task_id] if task_id is not None else None

    @property
    def last_task(self) -> FakeTask | None:
        """The most recently created task (handy when a test made exactly one)."""
        return next(reversed(self.tasks.values()), None)

    def video_size_of(self, task: FakeTask) -> int:
        return task.video_size if task.video_size is not None else self._knobs.video_size

    def create(
        self, body: dict[str, Any], model: str, mode: str | None, duration: float
    ) -> FakeTask:
        """A new running task for a validated create request; it runs in the background."""
        now = time.time()
        task = FakeTask(
            task_id=str(uuid.uuid4()),
            request=body,
            trace_id=str(uuid.uuid4()),
            created_at=round(now, 3),
            started_at=round(now + 0.06, 3),
            callback_url=body.get("callback_url"),
            model=model,
            mode=mode,
            duration=duration,
        )
        if self._queued_outcomes:
            task.outcome = self._queued_outcomes.popleft()
        self.tasks[task.task_id] = task
        self._runtime.spawn(self._run(task))
        return task

    # ------------------------------------------------------------------ outcomes

    def queue_outcome(self, succeed: bool, message: str | None = None, *, times: int = 1) -> None:
        """Preset the automatic outcome of the next ``times`` tasks to be created.

        Needed because task ids are unknown before the bot creates them; ``set_outcome`` covers
        tasks that already exist.
        """
        for _ in range(times):
            self._queued_outcomes.append((succeed, message))

    def set_outcome(self, task_id: str, succeed: bool, message: str | None = None) -> None:
        """Preset how an existing, still running task will finish by itself."""
        self.get(task_id).outcome = (succeed, message)

    async def finish(self, task_id: str, succeed: bool = True, message: str | None = None) -> None:
        """Finish a running task by hand (``message`` = failure message); sends its callback.

        The callback is sent in the background (honouring the callback knobs); wait for it with
        ``await fake.wait_for(lambda: fake.callback_log)``.
        """
        task = self.get(task_id)
        if task.done:
            raise ValueError(f"task {task_id} already finished ({task.state})")
        self._finish(task, succeed, message)

    async def _run(self, task: FakeTask) -> None:
        """Let a task "run", then finish it unless a knob says to wait for ``finish()``."""
        knobs = self._knobs
        await asyncio.sleep(knobs.processing_seconds)
        while knobs.never_finish or not knobs.auto_finish:
            if task.done:
                return
            await asyncio.sleep(POLL_SECONDS)
        if task.done:  # finished by hand meanwhile
            return
        if task.outcome is not None:
            succeed, message = task.outcome
        else:
            succeed, message = not knobs.fail_tasks, None
        self._finish(task, succeed, message)

    def _finish(self, task: FakeTask, succeed: bool, message: str | None) -> None:
        knobs = self._knobs
        task.finished_at = round(max(time.time(), task.started_at + 0.001), 3)
        if succeed:
            task.state = "succeed"
            task.video_id = self._new_video_id()
            base = knobs.video_base_url or self._runtime.base_url
            task.video_url = f"{base}/cdn/{task.task_id}.mp4"
            self._video_ids[task.video_id] = task.task_id
        else:
            task.state = "failed"
            task.error_message = message or knobs.failure_message
        task.finished.set()
        if task.callback_url and not knobs.suppress_callbacks:
            self._runtime.spawn(
                self._callbacks.deliver(task.task_id, task.callback_body(), task.callback_url)
            )

    def _new_video_id(self) -> str:
        while True:
            video_id = str(secrets.randbelow(9 * 10**17) + 10**17)  # 18 digits, like the API's
            if video_id not in self._video_ids:
                return video_id

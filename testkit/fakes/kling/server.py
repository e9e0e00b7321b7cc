"""`FakeKling`: the fake Kling API as one object. It builds the parts (knobs, task table,
callbacks, scripted faults, the JSON API, the file server), serves them on a free local port,
and spells their test API on itself. Wiring only: a new endpoint goes in `api` or `files`, a
new knob in `knobs` (plus a `Forward` line here), a new scripted fault in `faults`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from aiohttp import web

from testkit.fakes.forward import Forward, forward_method
from testkit.fakes.kling.api import TaskApi
from testkit.fakes.kling.callbacks import CallbackRecord, CallbackSender
from testkit.fakes.kling.faults import Faults
from testkit.fakes.kling.files import VideoFiles
from testkit.fakes.kling.knobs import KlingKnobs
from testkit.fakes.kling.runtime import POLL_SECONDS, Runtime
from testkit.fakes.kling.tasks import FakeTask, TaskTable
from testkit.fakes.kling.wire import RecordedRequest

T = TypeVar("T")


class FakeKling:
    """A fake Kling API server on 127.0.0.1 (random free port). See the package docstring.

    Knobs (plain attributes, change them any time):

    * ``processing_seconds`` - how long a task "runs" before it finishes by itself.
    * ``auto_finish`` / ``never_finish`` - when False / True, tasks stay running until
      ``await fake.finish(task_id)``; flipping them back lets waiting tasks finish.
    * ``fail_tasks`` / ``failure_message`` - tasks that finish by themselves end ``failed``.
    * ``callback_copies``, ``callback_delay``, ``suppress_callbacks`` - callback delivery.
    * ``latency`` - seconds added before answering (or dropping) create and tasks calls.
    * ``video_size`` - size in bytes of served videos; ``models`` - accepted model names.
    * ``video_delay`` - seconds a video download stalls after its headers (a slow CDN).
    * ``video_base_url`` - where results' ``video_url`` point (default this server), e.g.
      ``http://localhost:PORT``: the same files under a host name the bot does not trust.
    * ``video_redirects`` / ``redirect_base_url`` - the file server answers this many redirects
      (each to ``redirect_base_url``, default this server) before it serves the file.
    * ``video_file`` - a real video served for every task (``queue_video_files`` gives the
      next tasks one each).
    """

    processing_seconds = Forward[float]("knobs")
    video_size = Forward[int]("knobs")
    latency = Forward[float]("knobs")
    callback_timeout = Forward[float]("knobs")
    auto_finish = Forward[bool]("knobs")
    never_finish = Forward[bool]("knobs")
    fail_tasks = Forward[bool]("knobs")
    failure_message = Forward[str]("knobs")
    callback_copies = Forward[int]("knobs")
    callback_delay = Forward[float]("knobs")
    suppress_callbacks = Forward[bool]("knobs")
    video_delay = Forward[float]("knobs")
    models = Forward[set[str]]("knobs")
    video_base_url = Forward[str | None]("knobs")
    video_redirects = Forward[int]("knobs")
    redirect_base_url = Forward[str | None]("knobs")
    video_file = Forward[Path | None]("knobs")

    # What the fake recorded, on the part that records it.
    tasks = Forward[dict[str, FakeTask]]("task_table")
    last_task = Forward[FakeTask | None]("task_table")
    requests = Forward[list[RecordedRequest]]("api")
    create_count = Forward[int]("api")
    batch_calls = Forward[list[list[str]]]("api")
    downloads = Forward[list[str]]("files")
    callback_log = Forward[list[CallbackRecord]]("callbacks")
    callback_errors = Forward[list[tuple[str, str]]]("callbacks")
    errors = Forward[list[BaseException]]("runtime")
    base_url = Forward[str]("runtime")

    # The parts' test API: scripting and finishing tasks, the served files.
    fail_next = forward_method("faults", Faults.fail_next)
    refuse_next = forward_method("faults", Faults.refuse_next)
    drop_next = forward_method("faults", Faults.drop_next)
    delay_next = forward_method("faults", Faults.delay_next)
    clear_scripts = forward_method("faults", Faults.clear_scripts)
    queue_outcome = forward_method("task_table", TaskTable.queue_outcome)
    set_outcome = forward_method("task_table", TaskTable.set_outcome)
    finish = forward_method("task_table", TaskTable.finish)
    set_video_size = forward_method("files", VideoFiles.set_video_size)
    queue_video_files = forward_method("task_table", TaskTable.queue_video_files)
    video_bytes = forward_method("files", VideoFiles.video_bytes)

    def __init__(
        self,
        token: str = "test-kling-token",
        processing_seconds: float = 0.3,
        *,
        video_size: int = 64 * 1024,
        latency: float = 0.0,
        callback_timeout: float = 10.0,
    ) -> None:
        self.knobs = KlingKnobs(processing_seconds=processing_seconds, video_size=video_size,
                                latency=latency, callback_timeout=callback_timeout)
        self.runtime = Runtime()
        self.callbacks = CallbackSender(self.knobs)
        self.task_table = TaskTable(self.knobs, self.runtime, self.callbacks)
        self.faults = Faults()
        self.api = TaskApi(token, self.knobs, self.runtime, self.task_table, self.faults)
        self.files = VideoFiles(self.knobs, self.runtime, self.task_table, self.faults)
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        # Deliberately without the token.
        return f"<FakeKling {self.runtime.address or 'not started'} tasks={len(self.tasks)}>"

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind a free port on 127.0.0.1 and start serving."""
        if self._runner is not None:
            raise RuntimeError("FakeKling already started")
        app = web.Application()
        app.router.add_post("/kling/videos", self.api.handle_create)
        app.router.add_post("/kling/tasks", self.api.handle_tasks)
        app.router.add_get("/cdn/{task_id}.mp4", self.files.handle)
        # A short shutdown timeout: close() must not hang on a handler that is slow on purpose.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.runtime.address = f"http://{host}:{port}"
        self.callbacks.open()

    async def close(self) -> None:
        """Stop finishers and callback senders, close the callback session and the server."""
        await self.runtime.stop()
        await self.callbacks.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # ------------------------------------------------------------------ callbacks and waiting

    async def send_callback(
        self, task_id: str, *, copies: int = 1, url: str | None = None
    ) -> list[int | None]:
        """(Re)send a finished task's callback now, e.g. late, duplicated or after a restart.

        Ignores ``suppress_callbacks`` and ``callback_delay``. ``url`` overrides the task's
        callback URL (the bot may listen elsewhere after a restart). Returns the statuses
        (``None`` = could not connect), which are also appended to ``callback_log``.
        """
        task = self.task_table.get(task_id)
        target = url or task.callback_url
        if target is None:
            raise ValueError(f"task {task_id} has no callback_url; pass url=")
        return await self.callbacks.send(task_id, task.callback_body(), target, copies)

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 10,
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value; TimeoutError otherwise.

        Polls every 10 ms instead of tracking every state change, so the predicate may also look
        at the bot's state, not only the fake's.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if loop.time() >= deadline:
                raise TimeoutError(f"condition not met within {timeout} s")
            await asyncio.sleep(POLL_SECONDS)

"""The two JSON endpoints: ``POST /kling/videos`` (create a task; asynchronous with a callback,
or synchronous until it finishes) and ``POST /kling/tasks`` (retrieve one task, or a batch).
Each call is recorded, then scripted faults, latency, auth and validation apply in the
platform's order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from testkit.fakes.kling.faults import Faults, Script
from testkit.fakes.kling.knobs import KlingKnobs
from testkit.fakes.kling.runtime import Runtime
from testkit.fakes.kling.tasks import FakeTask, TaskTable
from testkit.fakes.kling.validation import BadRequest, validate_create
from testkit.fakes.kling.wire import (
    DROPPED,
    Endpoint,
    RecordedRequest,
    drop,
    error_json,
    read_json,
    record,
)

# How an endpoint answers a recorded call: (request, record, body, parse error) -> response.
Answer = Callable[[web.Request, RecordedRequest, Any, str | None], Awaitable[web.StreamResponse]]


class TaskApi:
    """Serves create and tasks; ``requests``, ``create_count`` and ``batch_calls`` record them."""

    def __init__(self, token: str, knobs: KlingKnobs, runtime: Runtime, tasks: TaskTable,
                 faults: Faults) -> None:
        self._token = token
        self._knobs = knobs
        self._runtime = runtime
        self._tasks = tasks
        self._faults = faults
        self.requests: list[RecordedRequest] = []
        self.create_count = 0
        self.batch_calls: list[list[str]] = []

    async def _serve(self, endpoint: Endpoint, request: web.Request,
                     answer: Answer) -> web.StreamResponse:
        """Read and record the call, answer it, and note the status (None when dropped)."""
        body, parse_error = await read_json(request)
        rec = record(endpoint, request, body, self._token)
        self.requests.append(rec)
        if endpoint == "create":
            self.create_count += 1
        response = await answer(request, rec, body, parse_error)
        rec.status = None if response.status == DROPPED else response.status
        return response

    async def _take_script(self, endpoint: Endpoint) -> Script | None:
        """This call's script; a scripted delay holds the call, which is then answered as
        usual."""
        script = self._faults.take(endpoint)
        if script is not None and script.kind == "delay":
            await self._runtime.pause(script.delay)
            return None
        return script

    # ------------------------------------------------------------------ create

    async def handle_create(self, request: web.Request) -> web.StreamResponse:
        """``POST /kling/videos``: recorded, then answered (or failed, delayed, dropped) as
        scripted."""
        return await self._serve("create", request, self._answer_create)

    async def _answer_create(
        self, request: web.Request, rec: RecordedRequest, body: Any, parse_error: str | None
    ) -> web.StreamResponse:
        script = await self._take_script("create")
        if script is not None and script.kind == "fail":
            await self._runtime.pause(self._knobs.latency)
            return script.error()
        error, task = self._create(rec, body, parse_error, script)
        await self._runtime.pause(self._knobs.latency)
        if script is not None:  # a drop
            return drop(request)
        if error is not None:
            return error
        assert task is not None
        if body.get("async") is True or task.callback_url:
            return web.json_response(
                {"success": True, "task_id": task.task_id, "trace_id": task.trace_id}
            )
        return await self._answer_when_done(request, task)

    def _create(
        self, rec: RecordedRequest, body: Any, parse_error: str | None, script: Script | None
    ) -> tuple[web.Response | None, FakeTask | None]:
        """The error answer, or the task (unless a drop script stops it before creation)."""
        if not rec.authorized:
            return error_json(401), None
        if parse_error is not None:
            return error_json(400, "bad_request", parse_error), None
        try:
            model, mode, duration = validate_create(body, self._knobs.models, self._tasks)
        except BadRequest as exc:
            return error_json(400, "bad_request", str(exc)), None
        if script is None or script.after_create:
            return None, self._tasks.create(body, model, mode, duration)
        return None, None

    async def _answer_when_done(self, request: web.Request, task: FakeTask) -> web.StreamResponse:
        """Synchronous create: block until done, like the real API (minutes, there)."""
        closing = asyncio.ensure_future(self._runtime.closing.wait())
        finished = asyncio.ensure_future(task.finished.wait())
        try:
            await asyncio.wait({closing, finished}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            finished.cancel()
        if not task.done:
            return drop(request)
        return web.json_response(task.response())

    # ------------------------------------------------------------------ tasks

    async def handle_tasks(self, request: web.Request) -> web.StreamResponse:
        """``POST /kling/tasks``: recorded, then answered (or failed, delayed, dropped) as
        scripted."""
        return await self._serve("tasks", request, self._answer_tasks)

    async def _answer_tasks(
        self, request: web.Request, rec: RecordedRequest, body: Any, parse_error: str | None
    ) -> web.StreamResponse:
        script = await self._take_script("tasks")
        await self._runtime.pause(self._knobs.latency)
        if script is not None:
            if script.kind == "drop":
                return drop(request)
            return script.error()
        if not rec.authorized:
            return error_json(401)
        if parse_error is not None:
            return error_json(400, "bad_request", parse_error)
        action = body.get("action")
        if action == "retrieve":
            task_id = body.get("id")
            if not isinstance(task_id, str):
                return error_json(400, "bad_request", "id is required.")
            task = self._tasks.tasks.get(task_id)
            return web.json_response(task.record() if task else {})
        if action == "retrieve_batch":
            ids = body.get("ids")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                return error_json(400, "bad_request", "ids is invalid.")
            self.batch_calls.append(list(ids))
            items = [self._tasks.tasks[i].record() for i in ids if i in self._tasks.tasks]
            return web.json_response({"items": items, "count": len(items)})
        return error_json(400, "bad_request", "action is invalid.")

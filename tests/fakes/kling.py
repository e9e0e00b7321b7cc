"""An in-process fake of the Kling video API (AceData Cloud), for tests.

The fake speaks the wire protocol described in ``/work/shared/kling-api.md`` and returns payloads
shaped like the samples in ``/work/shared/fixtures/kling/``, so the bot's real HTTP client can be
pointed at it (``KLING_API_BASE = fake.base_url``) and exercised end to end, including the awkward
cases the real platform produces rarely: rate limits, 5xx, dropped connections after a task was
created, lost / duplicated / late callbacks, failed tasks and huge result files.

Everything runs on the test's own event loop; every knob can be turned while the server runs.
The bearer token is never printed, logged or stored in recorded requests: test output is often
pasted into issues, and the bot's tests must not teach anybody to leak a real token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import struct
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, NamedTuple, Self, TypeVar

from aiohttp import ClientError, ClientSession, ClientTimeout, web

__all__ = [
    "DEFAULT_MODELS",
    "CallbackRecord",
    "Endpoint",
    "FakeKling",
    "FakeTask",
    "RecordedRequest",
    "mp4_header",
]

log = logging.getLogger(__name__)

Endpoint = Literal["create", "tasks", "video"]
"""``create`` = POST /kling/videos, ``tasks`` = POST /kling/tasks, ``video`` = GET /cdn/..."""

TaskState = Literal["running", "succeed", "failed"]

T = TypeVar("T")

DEFAULT_MODELS: frozenset[str] = frozenset(
    {
        "kling-v1",
        "kling-v1-6",
        "kling-v2-master",
        "kling-v2-1-master",
        "kling-v2-5-turbo",
        "kling-o1",
    }
)
"""Models the fake accepts unless a test changes ``fake.models`` (e.g. to add ``kling-v3``)."""

ACTIONS = ("text2video", "image2video", "extend")
DURATIONS = (5, 10)
PROMPT_MAX = 2500
NEGATIVE_PROMPT_MAX = 200
DEFAULT_FAILURE_MESSAGE = "Content was blocked by risk control"

# Default error codes / messages per status, taken from the fixtures and the API notes, so a
# scripted failure looks like the real thing without every test spelling it out.
_DEFAULT_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request is invalid."),
    401: ("invalid_token", "The specified token is invalid or wrong."),
    403: ("used_up", "Your balance is not sufficient for current request."),
    404: ("no_api", "The requested API does not exist."),
    429: ("too_many_requests", "You have exceeded the rate limit."),
    500: ("api_error", "Internal server error."),
}

_CHUNK = 256 * 1024  # streaming chunk size for /cdn: big enough to be fast, small enough for RAM
_POLL = 0.01  # how often knob-driven waits re-check their flags


def mp4_header(total_size: int) -> bytes:
    """The first bytes of a fake MP4 of ``total_size`` bytes: an ``ftyp`` box + ``mdat`` header.

    Real players (and ``ffprobe``-style sniffers in the bot) look at the ``ftyp`` box, so the
    fake's bytes must start with a valid one; the rest of the file is a single ``mdat`` box whose
    size makes the box structure consistent with the declared Content-Length. Files of 4 GiB or
    more use the 64-bit ``largesize`` form.
    """
    ftyp = struct.pack(">I4s4sI4s4s", 0x18, b"ftyp", b"isom", 0x200, b"isom", b"mp42")
    mdat_size = total_size - len(ftyp)
    if mdat_size < 8:
        raise ValueError(f"an MP4 needs at least {len(ftyp) + 8} bytes, got {total_size}")
    if mdat_size <= 0xFFFFFFFF:
        return ftyp + struct.pack(">I4s", mdat_size, b"mdat")
    return ftyp + struct.pack(">I4sQ", 1, b"mdat", mdat_size)


@dataclass
class RecordedRequest:
    """One API call the fake received, kept so tests can assert on what the bot sent.

    ``headers`` has the ``authorization`` value redacted (see module docstring); ``authorized``
    says whether it carried the right bearer token. ``status`` is the HTTP status the fake
    answered, ``None`` if it dropped the connection (or has not answered yet).
    """

    endpoint: Endpoint
    json: Any
    headers: dict[str, str]
    time: float
    authorized: bool
    status: int | None = None


class CallbackRecord(NamedTuple):
    """One callback POST attempt: ``status`` is ``None`` if the bot could not be reached.

    A NamedTuple so tests can compare with plain tuples: ``fake.callback_log == [(tid, 200)]``.
    """

    task_id: str
    status: int | None


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


@dataclass
class _Script:
    """A scripted misbehaviour queued for the next ``times`` calls to one endpoint."""

    kind: Literal["fail", "drop", "delay"]
    times: int
    delay: float = 0.0
    status: int = 0
    code: str | None = None
    message: str | None = None
    retry_after: float | None = None
    after_create: bool = False


class _BadRequest(Exception):
    """Validation failure: answered as 400 ``bad_request`` with a plain message."""


class FakeKling:
    """A fake Kling API server on 127.0.0.1 (random free port). See the module docstring.

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
    """

    def __init__(
        self,
        token: str = "test-kling-token",
        processing_seconds: float = 0.3,
        *,
        video_size: int = 64 * 1024,
        latency: float = 0.0,
        callback_timeout: float = 10.0,
    ) -> None:
        self._token = token
        self.processing_seconds = processing_seconds
        self.video_size = video_size
        self.latency = latency
        self.callback_timeout = callback_timeout
        self.auto_finish = True
        self.never_finish = False
        self.fail_tasks = False
        self.failure_message = DEFAULT_FAILURE_MESSAGE
        self.callback_copies = 1
        self.callback_delay = 0.0
        self.suppress_callbacks = False
        self.video_delay = 0.0
        self.models: set[str] = set(DEFAULT_MODELS)
        self.video_base_url: str | None = None
        self.video_redirects = 0
        self.redirect_base_url: str | None = None

        self.tasks: dict[str, FakeTask] = {}
        self.requests: list[RecordedRequest] = []
        self.create_count = 0
        self.batch_calls: list[list[str]] = []
        self.callback_log: list[CallbackRecord] = []
        self.callback_errors: list[tuple[str, str]] = []
        self.downloads: list[str] = []
        self.errors: list[BaseException] = []

        self._scripts: dict[Endpoint, deque[_Script]] = {
            "create": deque(),
            "tasks": deque(),
            "video": deque(),
        }
        self._queued_outcomes: deque[tuple[bool, str | None]] = deque()
        self._video_ids: dict[str, str] = {}  # video_id -> task_id
        self._background: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._closing = asyncio.Event()
        self._base_url: str | None = None

    def __repr__(self) -> str:
        # Deliberately without the token.
        return f"<FakeKling {self._base_url or 'not started'} tasks={len(self.tasks)}>"

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; only valid after ``start()``."""
        if self._base_url is None:
            raise RuntimeError("FakeKling is not started")
        return self._base_url

    async def start(self) -> None:
        """Bind a free port on 127.0.0.1 and start serving."""
        if self._runner is not None:
            raise RuntimeError("FakeKling already started")
        app = web.Application()
        app.router.add_post("/kling/videos", self._handle_create)
        app.router.add_post("/kling/tasks", self._handle_tasks)
        app.router.add_get("/cdn/{task_id}.mp4", self._handle_video)
        # A short shutdown timeout: close() must not hang on a handler that is slow on purpose.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._base_url = f"http://{host}:{port}"
        self._session = ClientSession(timeout=ClientTimeout(total=self.callback_timeout))

    async def close(self) -> None:
        """Stop finishers and callback senders, close the callback session and the server."""
        self._closing.set()
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._background.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
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

    # ------------------------------------------------------------------ scripting

    def fail_next(
        self,
        endpoint: Endpoint,
        status: int,
        *,
        times: int = 1,
        code: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``endpoint`` with ``status`` and the API's error JSON.

        Scripted misbehaviours are queued in order per endpoint and apply before auth and
        validation (they model the platform misbehaving, not the bot). A failed create creates
        no task.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        self._scripts[endpoint].append(
            _Script(
                "fail", times, status=status, code=code, message=message, retry_after=retry_after
            )
        )

    def drop_next(self, endpoint: Endpoint, times: int = 1, after_create: bool = False) -> None:
        """Close the connection of the next ``times`` calls without an HTTP answer.

        The request body is read first, so the client has fully sent it (the "was it created?"
        case). With ``after_create=True`` on ``create`` a valid request still creates its task,
        which runs, finishes and calls back as usual: the bot must not create it a second time.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if after_create and endpoint != "create":
            raise ValueError("after_create only makes sense for the create endpoint")
        self._scripts[endpoint].append(_Script("drop", times, after_create=after_create))

    def delay_next(self, endpoint: Endpoint, seconds: float, *, times: int = 1) -> None:
        """Hold the next ``times`` calls to ``endpoint`` for ``seconds`` each, then answer them
        as usual (a slow create or tasks query; other calls are not held up)."""
        if times < 1:
            raise ValueError("times must be >= 1")
        if endpoint == "video":
            raise ValueError("delay_next covers the create and tasks endpoints")
        self._scripts[endpoint].append(_Script("delay", times, delay=seconds))

    def clear_scripts(self, endpoint: Endpoint) -> None:
        """Forget every scripted misbehaviour still queued for ``endpoint`` (it recovers)."""
        self._scripts[endpoint].clear()

    def queue_outcome(self, succeed: bool, message: str | None = None, *, times: int = 1) -> None:
        """Preset the automatic outcome of the next ``times`` tasks to be created.

        Needed because task ids are unknown before the bot creates them; ``set_outcome`` covers
        tasks that already exist.
        """
        for _ in range(times):
            self._queued_outcomes.append((succeed, message))

    def set_outcome(self, task_id: str, succeed: bool, message: str | None = None) -> None:
        """Preset how an existing, still running task will finish by itself."""
        self._task(task_id).outcome = (succeed, message)

    def set_video_size(self, task_id: str, size: int) -> None:
        """Serve ``size`` bytes for this task's video (e.g. 300 MB; generated on the fly)."""
        mp4_header(size)  # validates the size
        self._task(task_id).video_size = size

    async def finish(self, task_id: str, succeed: bool = True, message: str | None = None) -> None:
        """Finish a running task by hand (``message`` = failure message); sends its callback.

        The callback is sent in the background (honouring the callback knobs); wait for it with
        ``await fake.wait_for(lambda: fake.callback_log)``.
        """
        task = self._task(task_id)
        if task.done:
            raise ValueError(f"task {task_id} already finished ({task.state})")
        self._finish(task, succeed, message)

    async def send_callback(
        self, task_id: str, *, copies: int = 1, url: str | None = None
    ) -> list[int | None]:
        """(Re)send a finished task's callback now, e.g. late, duplicated or after a restart.

        Ignores ``suppress_callbacks`` and ``callback_delay``. ``url`` overrides the task's
        callback URL (the bot may listen elsewhere after a restart). Returns the statuses
        (``None`` = could not connect), which are also appended to ``callback_log``.
        """
        task = self._task(task_id)
        target = url or task.callback_url
        if target is None:
            raise ValueError(f"task {task_id} has no callback_url; pass url=")
        body = task.callback_body()
        return list(
            await asyncio.gather(*(self._post_callback(task, target, body) for _ in range(copies)))
        )

    # ------------------------------------------------------------------ introspection

    @property
    def last_task(self) -> FakeTask | None:
        """The most recently created task (handy when a test made exactly one)."""
        return next(reversed(self.tasks.values()), None)

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
            await asyncio.sleep(_POLL)

    def video_bytes(self, task_id: str) -> bytes:
        """The full bytes ``/cdn/{task_id}.mp4`` serves, for comparing small downloads."""
        return b"".join(self._video_chunks(task_id, self._video_size_of(self._task(task_id))))

    # ------------------------------------------------------------------ internals: helpers

    def _task(self, task_id: str) -> FakeTask:
        try:
            return self.tasks[task_id]
        except KeyError:
            raise KeyError(f"unknown task {task_id!r}") from None

    def _video_size_of(self, task: FakeTask) -> int:
        return task.video_size if task.video_size is not None else self.video_size

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, tracked so close() can cancel it cleanly."""
        task: asyncio.Task[Any] = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:  # a bug in the fake: keep it visible without crashing the loop
            self.errors.append(exc)
            log.error("FakeKling background task failed", exc_info=exc)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake early when the fake closes so shutdown never waits for a knob."""
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), seconds)

    async def _serve_delay(self, script: _Script | None) -> _Script | None:
        """A scripted delay holds this call, which is then answered as usual."""
        if script is not None and script.kind == "delay":
            await self._pause(script.delay)
            return None
        return script

    def _take_script(self, endpoint: Endpoint) -> _Script | None:
        queue = self._scripts[endpoint]
        if not queue:
            return None
        script = queue[0]
        script.times -= 1
        if script.times <= 0:
            queue.popleft()
        return script

    def _record(self, endpoint: Endpoint, request: web.Request, body: Any) -> RecordedRequest:
        headers = {k.lower(): v for k, v in request.headers.items()}
        authorized = headers.get("authorization") == f"Bearer {self._token}"
        if "authorization" in headers:
            headers["authorization"] = "<redacted>"
        rec = RecordedRequest(endpoint, body, headers, time.time(), authorized)
        self.requests.append(rec)
        return rec

    @staticmethod
    def _error_json(
        status: int,
        code: str | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> web.Response:
        default_code, default_message = _DEFAULT_ERRORS.get(
            status,
            ("api_error", "Internal server error.")
            if status >= 500
            else ("bad_request", "The request is invalid."),
        )
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = (
                str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
            )
        body = {
            "success": False,
            "error": {"code": code or default_code, "message": message or default_message},
            "trace_id": str(uuid.uuid4()),
        }
        return web.json_response(body, status=status, headers=headers)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        """Close the connection so the client sees a disconnect instead of an HTTP answer.

        aiohttp then fails to write the returned response and ignores it (ConnectionError).
        """
        request.protocol.force_close()
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=599)

    @staticmethod
    async def _read_json(request: web.Request) -> tuple[Any, str | None]:
        """Parse the body; the error string is the 400 message the API would give."""
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return None, "The request body is not valid JSON."
        if request.content_type != "application/json":
            return body, "content-type must be application/json."
        if not isinstance(body, dict):
            return body, "The request body must be a JSON object."
        return body, None

    def _new_video_id(self) -> str:
        while True:
            video_id = str(secrets.randbelow(9 * 10**17) + 10**17)  # 18 digits, like the API's
            if video_id not in self._video_ids:
                return video_id

    # ------------------------------------------------------------------ internals: create

    def _validate_create(self, body: dict[str, Any]) -> tuple[str, str | None, float]:
        """Basic validation like the platform's; returns (model, mode, duration of result)."""
        action = body.get("action", "text2video")
        if action not in ACTIONS:
            raise _BadRequest("action is invalid.")
        model = body.get("model", "kling-v1")
        if not isinstance(model, str) or model not in self.models:
            raise _BadRequest("model is invalid.")
        mode = body.get("mode")
        if mode is not None and mode not in ("std", "pro", "4k"):
            raise _BadRequest("mode is invalid.")
        duration = body.get("duration", 5)
        if isinstance(duration, bool) or duration not in DURATIONS:
            raise _BadRequest("duration is invalid.")
        prompt = body.get("prompt")
        if prompt is not None and (not isinstance(prompt, str) or len(prompt) > PROMPT_MAX):
            raise _BadRequest("prompt is invalid.")
        negative = body.get("negative_prompt")
        if negative is not None and (
            not isinstance(negative, str) or len(negative) > NEGATIVE_PROMPT_MAX
        ):
            raise _BadRequest("negative_prompt is invalid.")
        callback_url = body.get("callback_url")
        if callback_url is not None and not (
            isinstance(callback_url, str) and callback_url.startswith(("http://", "https://"))
        ):
            raise _BadRequest("callback_url is invalid.")
        if action == "text2video" and not prompt:
            raise _BadRequest("prompt is required for text2video.")
        if action == "image2video":
            if not isinstance(body.get("start_image_url"), str) or not body["start_image_url"]:
                raise _BadRequest("start_image_url is required for image2video.")
            if body.get("camera_control") is not None:
                raise _BadRequest("camera_control is not supported for image2video.")
        if action != "image2video" and body.get("end_image_url") is not None:
            raise _BadRequest(f"end_image_url is not supported for {action}.")
        result_duration = float(duration) + 0.041
        if action == "extend":
            video_id = body.get("video_id")
            if not isinstance(video_id, str) or not video_id:
                raise _BadRequest("video_id is required for extend.")
            source_id = self._video_ids.get(video_id)
            if source_id is None:
                raise _BadRequest("video_id is invalid.")
            source = self.tasks[source_id]
            if source.model != model:
                raise _BadRequest("model must match the source video.")
            if mode is not None and source.mode is not None and mode != source.mode:
                raise _BadRequest("mode must match the source video.")
            result_duration = source.duration + 5.0
        return model, mode, result_duration

    def _create_task(
        self, body: dict[str, Any], model: str, mode: str | None, duration: float
    ) -> FakeTask:
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
        self._spawn(self._run_task(task))
        return task

    async def _handle_create(self, request: web.Request) -> web.StreamResponse:
        body, parse_error = await self._read_json(request)
        rec = self._record("create", request, body)
        self.create_count += 1
        response = await self._answer_create(request, rec, body, parse_error)
        rec.status = None if response.status == 599 else response.status
        return response

    async def _answer_create(
        self, request: web.Request, rec: RecordedRequest, body: Any, parse_error: str | None
    ) -> web.StreamResponse:
        script = await self._serve_delay(self._take_script("create"))
        if script is not None and script.kind == "fail":
            await self._pause(self.latency)
            return self._error_json(script.status, script.code, script.message, script.retry_after)
        if not rec.authorized:
            error: web.Response | None = self._error_json(401)
        elif parse_error is not None:
            error = self._error_json(400, "bad_request", parse_error)
        else:
            try:
                model, mode, duration = self._validate_create(body)
            except _BadRequest as exc:
                error = self._error_json(400, "bad_request", str(exc))
            else:
                error = None
        task = None
        if error is None and (script is None or script.after_create):
            task = self._create_task(body, model, mode, duration)
        await self._pause(self.latency)
        if script is not None:  # a drop
            return self._drop(request)
        if error is not None:
            return error
        assert task is not None
        if body.get("async") is True or task.callback_url:
            return web.json_response(
                {"success": True, "task_id": task.task_id, "trace_id": task.trace_id}
            )
        # Synchronous create: block until done, like the real API (minutes, there).
        closing = asyncio.ensure_future(self._closing.wait())
        finished = asyncio.ensure_future(task.finished.wait())
        try:
            await asyncio.wait({closing, finished}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            finished.cancel()
        if not task.done:
            return self._drop(request)
        return web.json_response(task.response())

    # ------------------------------------------------------------------ internals: run tasks

    async def _run_task(self, task: FakeTask) -> None:
        """Let a task "run", then finish it unless a knob says to wait for ``finish()``."""
        await asyncio.sleep(self.processing_seconds)
        while self.never_finish or not self.auto_finish:
            if task.done:
                return
            await asyncio.sleep(_POLL)
        if task.done:  # finished by hand meanwhile
            return
        if task.outcome is not None:
            succeed, message = task.outcome
        else:
            succeed, message = not self.fail_tasks, None
        self._finish(task, succeed, message)

    def _finish(self, task: FakeTask, succeed: bool, message: str | None) -> None:
        task.finished_at = round(max(time.time(), task.started_at + 0.001), 3)
        if succeed:
            task.state = "succeed"
            task.video_id = self._new_video_id()
            task.video_url = f"{self.video_base_url or self.base_url}/cdn/{task.task_id}.mp4"
            self._video_ids[task.video_id] = task.task_id
        else:
            task.state = "failed"
            task.error_message = message or self.failure_message
        task.finished.set()
        if task.callback_url and not self.suppress_callbacks:
            self._spawn(self._deliver_callbacks(task, task.callback_url))

    async def _deliver_callbacks(self, task: FakeTask, url: str) -> None:
        if self.callback_delay > 0:
            await asyncio.sleep(self.callback_delay)
        body = task.callback_body()
        copies = max(1, self.callback_copies)
        await asyncio.gather(*(self._post_callback(task, url, body) for _ in range(copies)))

    async def _post_callback(self, task: FakeTask, url: str, body: dict[str, Any]) -> int | None:
        """POST one callback; an unreachable bot is recorded (status None), never raised."""
        if self._session is None:
            raise RuntimeError("FakeKling is not started")
        status: int | None
        try:
            async with self._session.post(url, json=body) as resp:
                await resp.read()
                status = resp.status
        except (ClientError, OSError, TimeoutError) as exc:
            status = None
            self.callback_errors.append((task.task_id, type(exc).__name__))
        self.callback_log.append(CallbackRecord(task.task_id, status))
        return status

    # ------------------------------------------------------------------ internals: tasks

    async def _handle_tasks(self, request: web.Request) -> web.StreamResponse:
        body, parse_error = await self._read_json(request)
        rec = self._record("tasks", request, body)
        response = await self._answer_tasks(request, rec, body, parse_error)
        rec.status = None if response.status == 599 else response.status
        return response

    async def _answer_tasks(
        self, request: web.Request, rec: RecordedRequest, body: Any, parse_error: str | None
    ) -> web.StreamResponse:
        script = await self._serve_delay(self._take_script("tasks"))
        await self._pause(self.latency)
        if script is not None:
            if script.kind == "drop":
                return self._drop(request)
            return self._error_json(script.status, script.code, script.message, script.retry_after)
        if not rec.authorized:
            return self._error_json(401)
        if parse_error is not None:
            return self._error_json(400, "bad_request", parse_error)
        action = body.get("action")
        if action == "retrieve":
            task_id = body.get("id")
            if not isinstance(task_id, str):
                return self._error_json(400, "bad_request", "id is required.")
            task = self.tasks.get(task_id)
            return web.json_response(task.record() if task else {})
        if action == "retrieve_batch":
            ids = body.get("ids")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                return self._error_json(400, "bad_request", "ids is invalid.")
            self.batch_calls.append(list(ids))
            items = [self.tasks[i].record() for i in ids if i in self.tasks]
            return web.json_response({"items": items, "count": len(items)})
        return self._error_json(400, "bad_request", "action is invalid.")

    # ------------------------------------------------------------------ internals: video

    def _video_chunks(self, task_id: str, size: int) -> Iterator[bytes]:
        """Yield the file in chunks, generated on the fly so 300 MB never sits in memory.

        The mdat payload repeats a block derived from the task id: deterministic (tests can
        compare bytes) and different per task (a mixed-up download is caught).
        """
        header = mp4_header(size)
        seed = hashlib.sha256(task_id.encode()).digest()
        block = (seed * (_CHUNK // len(seed) + 1))[:_CHUNK]
        yield header
        remaining = size - len(header)
        while remaining > 0:
            n = min(remaining, _CHUNK)
            yield block if n == _CHUNK else block[:n]
            remaining -= n

    async def _handle_video(self, request: web.Request) -> web.StreamResponse:
        task_id = request.match_info["task_id"]
        self.downloads.append(task_id)
        script = self._take_script("video")
        if script is not None:
            if script.kind == "drop":
                return self._drop(request)
            return self._error_json(script.status, script.code, script.message, script.retry_after)
        task = self.tasks.get(task_id)
        if task is None or task.state != "succeed":
            raise web.HTTPNotFound()
        hop = int(request.query.get("hop", "0"))
        if hop < self.video_redirects:
            base = self.redirect_base_url or self.base_url
            raise web.HTTPFound(f"{base}/cdn/{task_id}.mp4?hop={hop + 1}")
        size = self._video_size_of(task)
        response = web.StreamResponse(headers={"Content-Type": "video/mp4"})
        response.content_length = size
        await response.prepare(request)
        if request.method != "HEAD":
            await self._pause(self.video_delay)
            for chunk in self._video_chunks(task_id, size):
                await response.write(chunk)
        await response.write_eof()
        return response

"""A simulated Kling inside the bot (`KLING_API_BASE=simulated`): server owners try every
command, button and setting before buying Kling credits. No account, no network.

It speaks the API the bot already speaks (kling-api.md), on 127.0.0.1 on a port of its own,
so the bot's real client, callback receiver, poller and video fetcher all run as they do
against Kling:

- `POST /kling/videos` checks the request as the bot's own validation does (the capability
  table in force, `bot.kling.validation.validate`) and answers 400 `bad_request` with the option
  at fault, else accepts it with a task id;
- a few seconds later the task has a real video (FFmpeg, `simulated_video`), served from
  `GET /videos/<id>.mp4` on the same address, and its result is POSTed to the job's
  `callback_url` when it has one;
- `POST /kling/tasks` answers `retrieve` and `retrieve_batch` with task records.

Tasks live in memory: after a restart the simulator knows none of them, and the poller ends
the jobs it was waiting for like tasks Kling forgot (failed and refunded).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.kling.camera import CAMERA_MOVES, camera_control
from bot.kling.capabilities import CapabilityTable
from bot.kling.options import Action, InvalidOptions, VideoOptions
from bot.kling.simulated_video import RenderFailed, render_video
from bot.kling.validation import validate

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
EXTEND_SECONDS = 5  # what an extend adds (kling-api.md: "adds about 5 s")
# The newest videos kept on disk; older ones were fetched into Discord long ago.
KEEP_VIDEOS = 50
VIDEO_ID_PREFIX = "sim-"
# The body fields a create may carry and their JSON types; anything else is left alone, as
# the API is the judge of fields the bot does not know.
FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "action": str, "model": str, "mode": str, "prompt": str, "negative_prompt": str,
    "cfg_scale": (int, float), "aspect_ratio": str, "duration": int, "start_image_url": str,
    "end_image_url": str, "camera_control": dict, "video_id": str, "image_list": list,
    "generate_audio": bool, "callback_url": str, "async": bool,
}


class BadRequest(Exception):
    """The create is refused with 400 `bad_request` and this message."""


@dataclass
class SimulatedTask:
    """One accepted create: its body, the video's length in seconds, and, once made, the response a
    poll or callback carries."""

    task_id: str
    request: dict[str, Any]
    seconds: float
    created_at: float = field(default_factory=time.time)
    response: dict[str, Any] | None = None

    def record(self) -> dict[str, Any]:
        """The task record `/kling/tasks` answers (no `response` while it runs)."""
        record: dict[str, Any] = {"id": self.task_id, "type": "videos",
                                  "created_at": self.created_at, "request": self.request}
        if self.response is not None:
            record["response"] = self.response
        return record


def options_from_body(body: dict[str, Any]) -> VideoOptions:
    """The create body read back into the options the bot validates. Raises `BadRequest`."""
    for name, kind in FIELD_TYPES.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, kind) or (
                kind is int and isinstance(value, bool))):
            raise BadRequest(f"{name} is invalid.")
    camera = None
    if body.get("camera_control") is not None:
        camera = next((move for move in CAMERA_MOVES
                       if camera_control(move) == body["camera_control"]), None)
        if camera is None:
            raise BadRequest("camera_control is invalid.")
    images = body.get("image_list") or []
    if not all(isinstance(i, dict) and isinstance(i.get("image_url"), str) for i in images):
        raise BadRequest("image_list is invalid.")
    actions: dict[str, Action] = {"text2video": "text2video", "image2video": "image2video",
                                  "extend": "extend"}
    action = actions.get(body.get("action") or "text2video")
    if action is None:
        raise BadRequest("action is invalid.")
    return VideoOptions(
        action=action, model=body.get("model"), mode=body.get("mode"),
        prompt=body.get("prompt"), negative_prompt=body.get("negative_prompt"),
        cfg_scale=body.get("cfg_scale"), aspect_ratio=body.get("aspect_ratio"),
        duration=body.get("duration"), start_image_url=body.get("start_image_url"),
        end_image_url=body.get("end_image_url"), camera=camera,
        video_id=body.get("video_id"), image_urls=tuple(i["image_url"] for i in images),
        audio=body.get("generate_audio"))


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"success": False, "error": {"code": code, "message": message},
                              "trace_id": uuid.uuid4().hex}, status=status)


class SimulatedKling:
    """The simulated API. Its address is fixed when it is made (the bot's client and video
    fetcher are configured with it before anything starts); `start` serves it."""

    def __init__(self, capabilities: CapabilityTable, *,
                 seconds: float = Settings.simulated_seconds,
                 root: Path | None = None) -> None:
        self.capabilities = capabilities
        self.seconds = seconds
        self.root = root
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((HOST, 0))
        self.port: int = self._socket.getsockname()[1]
        self.tasks: dict[str, SimulatedTask] = {}
        self.videos: dict[str, float] = {}  # video id -> its length
        self._directory: Path | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._work: set[asyncio.Task[None]] = set()
        # One video made at a time: the bot's machine has other work to do.
        self._render = asyncio.Semaphore(1)

    @property
    def base_url(self) -> str:
        """The address to give the bot as Kling's (known before `start`)."""
        return f"http://{HOST}:{self.port}"

    @property
    def origin(self) -> tuple[str, int]:
        """The one address its videos come from (the video fetcher trusts exactly this)."""
        return HOST, self.port

    async def start(self) -> None:
        """Serve the API on the bound socket, in the running event loop."""
        self._directory = Path(tempfile.mkdtemp(prefix="klingcord-simulated-",
                                                dir=self.root))
        self._session = aiohttp.ClientSession()
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/kling/videos", self._create)
        app.router.add_post("/kling/tasks", self._query)
        app.router.add_get("/videos/{name}", self._video)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket).start()
        log.warning("Kling is SIMULATED (KLING_API_BASE=simulated): videos are test patterns "
                    "made by the bot, served on %s; no Kling account is used", self.base_url)

    async def close(self) -> None:
        """Stop making videos, stop serving and delete the videos made."""
        for task in list(self._work):
            task.cancel()
        await asyncio.gather(*self._work, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        else:
            self._socket.close()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    # -- the API -----------------------------------------------------------------------------

    async def _create(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "bad_request", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return _error(400, "bad_request", "The request body must be a JSON object.")
        try:
            seconds = self._check(body)
        except BadRequest as exc:
            return _error(400, "bad_request", str(exc))
        task = SimulatedTask(uuid.uuid4().hex, body, seconds)
        self.tasks[task.task_id] = task
        work = asyncio.create_task(self._make(task), name=f"simulated-{task.task_id}")
        self._work.add(work)
        work.add_done_callback(self._work.discard)
        return web.json_response({"success": True, "task_id": task.task_id,
                                  "trace_id": uuid.uuid4().hex})

    def _check(self, body: dict[str, Any]) -> float:
        """Validate the create as the bot does; the video's length. Raises `BadRequest`."""
        options = options_from_body(body)
        if options.action == "extend" and not (options.video_id or "").startswith(
                VIDEO_ID_PREFIX):
            raise BadRequest("video_id is invalid.")
        try:
            validated = validate(options, self.capabilities)
        except InvalidOptions as exc:
            raise BadRequest(f"{exc.option} is invalid ({exc.code}).") from None
        if options.action == "extend":
            return self.videos.get(options.video_id or "", 5.0) + EXTEND_SECONDS
        return float(validated.duration)

    async def _query(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "bad_request", "The request body is not valid JSON.")
        action = body.get("action") if isinstance(body, dict) else None
        if action == "retrieve" and isinstance(body.get("id"), str):
            task = self.tasks.get(body["id"])
            return web.json_response(task.record() if task else {})
        if action == "retrieve_batch" and isinstance(body.get("ids"), list):
            items = [self.tasks[i].record() for i in body["ids"]
                     if isinstance(i, str) and i in self.tasks]
            return web.json_response({"items": items, "count": len(items)})
        return _error(400, "bad_request", "action is invalid.")

    async def _video(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = self._directory / name if self._directory is not None else None
        if path is None or not name.endswith(".mp4") or "/" in name or not path.is_file():
            return _error(404, "not_found", "No such video.")
        return web.FileResponse(path, headers={"Content-Type": "video/mp4"})

    # -- making the video ----------------------------------------------------------------------

    async def _make(self, task: SimulatedTask) -> None:
        """Take "a few seconds", make the video, then record the result and POST it back
        (a poll before then finds the task running)."""
        started = time.monotonic()
        body = task.request
        video_id = f"{VIDEO_ID_PREFIX}{uuid.uuid4().hex[:16]}"
        assert self._directory is not None
        output = self._directory / f"{video_id}.mp4"
        try:
            async with self._render:
                await render_video(output, prompt=str(body.get("prompt") or ""),
                                   model=str(body.get("model")), seconds=task.seconds,
                                   aspect_ratio=body.get("aspect_ratio"),
                                   audio=bool(body.get("generate_audio")))
        except (RenderFailed, OSError) as exc:
            log.warning("Simulated Kling: task %s could not be rendered (%s)", task.task_id,
                        exc)
            response: dict[str, Any] = {
                "success": False, "task_id": task.task_id, "state": "failed",
                "error": {"code": "api_error",
                          "message": "the simulated video could not be made"}}
        else:
            self.videos[video_id] = task.seconds
            self._prune()
            response = {"success": True, "task_id": task.task_id, "video_id": video_id,
                        "video_url": f"{self.base_url}/videos/{video_id}.mp4",
                        "duration": f"{task.seconds:.3f}", "state": "succeed"}
        await asyncio.sleep(max(0.0, self.seconds - (time.monotonic() - started)))
        task.response = response
        await self._call_back(task)

    def _prune(self) -> None:
        """Keep the newest `KEEP_VIDEOS` files: a long trial must not fill the disk."""
        if self._directory is None:
            return
        files = sorted(self._directory.glob("*.mp4"), key=lambda p: p.stat().st_mtime)
        for old in files[:-KEEP_VIDEOS]:
            old.unlink(missing_ok=True)

    async def _call_back(self, task: SimulatedTask) -> None:
        url = task.request.get("callback_url")
        if not url or self._session is None or task.response is None:
            return
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with self._session.post(url, json=task.response,
                                          timeout=aiohttp.ClientTimeout(total=10)):
                pass

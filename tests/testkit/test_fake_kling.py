"""Tests of the Kling fake itself, with a plain aiohttp client.

The bot's tests trust the fake to behave like the platform, so the fake's wire format is pinned
here against the shapes of the sample payloads in ``/work/shared/fixtures/kling/`` (key sets
copied below, so the tests do not depend on a path outside the repository).
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientConnectionError, ClientSession, web

from testkit.fakes.kling import FakeKling, mp4_header

pytestmark = pytest.mark.timeout(20)

TOKEN = "test-kling-token"
AUTH = {"authorization": f"Bearer {TOKEN}", "accept": "application/json"}

# Key sets of the fixtures (task_running.json, task_succeeded.json, ...).
RUNNING_KEYS = {"id", "type", "created_at", "started_at", "request", "trace_id"}
DONE_KEYS = RUNNING_KEYS | {"finished_at", "elapsed", "response"}
SUCCEEDED_RESPONSE_KEYS = {"success", "task_id", "video_id", "video_url", "duration", "state"}
FAILED_RESPONSE_KEYS = {"success", "task_id", "state", "error"}
FAILED_CALLBACK_KEYS = FAILED_RESPONSE_KEYS | {"trace_id"}
ERROR_KEYS = {"success", "error", "trace_id"}

T2V: dict[str, Any] = {
    "action": "text2video",
    "model": "kling-v1",
    "prompt": "a white cat walking on a beach at sunset",
    "async": True,
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeKling]:
    async with FakeKling(token=TOKEN, processing_seconds=0.2) as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[ClientSession]:
    async with ClientSession(headers=AUTH) as session:
        yield session


class Receiver:
    """A tiny stand-in for the bot's callback endpoint."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[Any] = []
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.bodies.append(await request.json())
        return web.json_response({"ok": True}, status=self.status)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/kling/callback/{token}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}/kling/callback/secret-job-token"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


async def create(http: ClientSession, fake: FakeKling, **overrides: Any) -> tuple[int, Any]:
    async with http.post(f"{fake.base_url}/kling/videos", json={**T2V, **overrides}) as resp:
        return resp.status, await resp.json()


async def query(http: ClientSession, fake: FakeKling, body: dict[str, Any]) -> tuple[int, Any]:
    async with http.post(f"{fake.base_url}/kling/tasks", json=body) as resp:
        return resp.status, await resp.json()


async def test_create_then_retrieve_lifecycle(fake: FakeKling, http: ClientSession) -> None:
    status, body = await create(http, fake)
    assert status == 200
    assert set(body) == {"success", "task_id", "trace_id"} and body["success"] is True
    task_id = body["task_id"]

    status, record = await query(http, fake, {"action": "retrieve", "id": task_id})
    assert status == 200
    assert set(record) == RUNNING_KEYS
    assert record["id"] == task_id and record["type"] == "videos"
    assert record["request"] == T2V

    await fake.wait_for(lambda: fake.tasks[task_id].state == "succeed", timeout=5)
    _, record = await query(http, fake, {"action": "retrieve", "id": task_id})
    assert set(record) == DONE_KEYS
    response = record["response"]
    assert set(response) == SUCCEEDED_RESPONSE_KEYS
    assert response["success"] is True and response["state"] == "succeed"
    assert response["task_id"] == task_id
    assert response["video_url"] == f"{fake.base_url}/cdn/{task_id}.mp4"
    assert isinstance(response["duration"], str) and float(response["duration"]) >= 5
    assert response["video_id"].isdigit() and len(response["video_id"]) >= 15
    assert record["elapsed"] >= 0.1

    # Fresh ids per task.
    _, second = await create(http, fake)
    assert second["task_id"] != task_id
    await fake.wait_for(lambda: fake.tasks[second["task_id"]].done, timeout=5)
    assert fake.tasks[second["task_id"]].video_id != fake.tasks[task_id].video_id
    assert fake.create_count == 2 and [r.endpoint for r in fake.requests].count("create") == 2


async def test_retrieve_batch_and_unknown_id(fake: FakeKling, http: ClientSession) -> None:
    ids = [(await create(http, fake))[1]["task_id"] for _ in range(2)]
    status, body = await query(http, fake, {"action": "retrieve_batch", "ids": [*ids, "nope"]})
    assert status == 200
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == ids
    assert fake.batch_calls == [[*ids, "nope"]]

    status, body = await query(http, fake, {"action": "retrieve", "id": "unknown-id"})
    assert status == 200 and body == {}


async def test_auth_failure_is_401_and_token_not_recorded(fake: FakeKling) -> None:
    async with ClientSession(headers={"authorization": "Bearer wrong"}) as bad:
        status, body = await create(bad, fake)
    assert status == 401
    assert set(body) == ERROR_KEYS and body["success"] is False
    assert body["error"]["code"] == "invalid_token"
    assert fake.tasks == {}
    assert not fake.requests[0].authorized
    assert fake.requests[0].status == 401

    async with ClientSession(headers=AUTH) as good:
        await create(good, fake)
    assert fake.requests[1].authorized
    assert TOKEN not in repr(fake.requests) and TOKEN not in repr(fake)


async def test_scripted_429_with_retry_after(fake: FakeKling, http: ClientSession) -> None:
    fake.fail_next("create", 429, retry_after=2)
    async with http.post(f"{fake.base_url}/kling/videos", json=T2V) as resp:
        assert resp.status == 429
        assert resp.headers["Retry-After"] == "2"
        body = await resp.json()
    assert set(body) == ERROR_KEYS
    assert body["error"] == {
        "code": "too_many_requests",
        "message": "You have exceeded the rate limit.",
    }
    assert fake.tasks == {}

    status, _ = await create(http, fake)
    assert status == 200
    assert fake.create_count == 2 and len(fake.tasks) == 1

    fake.fail_next("tasks", 500, times=2, message="boom")
    for _ in range(2):
        status, body = await query(http, fake, {"action": "retrieve", "id": "x"})
        assert status == 500 and body["error"] == {"code": "api_error", "message": "boom"}
    assert (await query(http, fake, {"action": "retrieve", "id": "x"}))[0] == 200


async def test_dropped_connection(fake: FakeKling, http: ClientSession) -> None:
    fake.drop_next("tasks")
    with pytest.raises(ClientConnectionError):
        await query(http, fake, {"action": "retrieve", "id": "x"})
    assert fake.requests[-1].status is None

    fake.drop_next("create")
    with pytest.raises(ClientConnectionError):
        await create(http, fake)
    assert fake.tasks == {} and fake.create_count == 1

    assert (await query(http, fake, {"action": "retrieve", "id": "x"}))[0] == 200


async def test_drop_after_create_still_creates_and_calls_back(
    fake: FakeKling, http: ClientSession
) -> None:
    async with Receiver() as receiver:
        fake.drop_next("create", after_create=True)
        with pytest.raises(ClientConnectionError):
            await create(http, fake, callback_url=receiver.url)
        assert len(fake.tasks) == 1
        task = fake.last_task
        assert task is not None and task.callback_url == receiver.url
        # The fake logs a callback once the receiver has answered it: wait for the log.
        await fake.wait_for(lambda: fake.callback_log, timeout=5)
        assert receiver.bodies[0]["task_id"] == task.task_id
        assert fake.callback_log == [(task.task_id, 200)]


async def test_callback_delivered_n_times(fake: FakeKling, http: ClientSession) -> None:
    fake.callback_copies = 3
    async with Receiver() as receiver:
        _, body = await create(http, fake, callback_url=receiver.url)
        task_id = body["task_id"]
        await fake.wait_for(lambda: len(fake.callback_log) == 3, timeout=5)
        assert len(receiver.bodies) == 3
        assert all(b == receiver.bodies[0] for b in receiver.bodies)
        assert set(receiver.bodies[0]) == SUCCEEDED_RESPONSE_KEYS
        assert receiver.bodies[0]["task_id"] == task_id
        assert fake.callback_log == [(task_id, 200)] * 3

        # A late duplicate, sent by hand.
        assert await fake.send_callback(task_id) == [200]
        assert len(receiver.bodies) == 4


async def test_failed_task_and_manual_finish(fake: FakeKling, http: ClientSession) -> None:
    fake.auto_finish = False
    async with Receiver(status=500) as receiver:
        _, body = await create(http, fake, callback_url=receiver.url)
        task_id = body["task_id"]
        await fake.wait_for(lambda: fake.tasks[task_id].state == "running")
        await fake.finish(task_id, succeed=False, message="Content was blocked by risk control")
        await fake.wait_for(lambda: fake.callback_log, timeout=5)
    callback = receiver.bodies[0]
    assert set(callback) == FAILED_CALLBACK_KEYS
    assert callback["success"] is False and callback["state"] == "failed"
    assert callback["error"] == {
        "code": "api_error",
        "message": "Content was blocked by risk control",
    }
    assert fake.callback_log == [(task_id, 500)]

    _, record = await query(http, fake, {"action": "retrieve", "id": task_id})
    assert set(record) == DONE_KEYS and set(record["response"]) == FAILED_RESPONSE_KEYS

    # The receiver is gone now: a callback to a dead bot is recorded, not raised.
    assert await fake.send_callback(task_id) == [None]
    assert fake.callback_log[-1] == (task_id, None)

    fake.fail_tasks = True
    fake.auto_finish = True
    _, body = await create(http, fake)
    await fake.wait_for(lambda: fake.tasks[body["task_id"]].state == "failed", timeout=5)
    assert fake.errors == []


async def test_video_bytes_size_and_ftyp(fake: FakeKling, http: ClientSession) -> None:
    _, body = await create(http, fake)
    task_id = body["task_id"]
    await fake.wait_for(lambda: fake.tasks[task_id].done, timeout=5)
    url = fake.tasks[task_id].video_url
    assert url is not None

    async with http.get(url) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "video/mp4"
        assert resp.content_length == fake.video_size
        data = await resp.read()
    assert len(data) == fake.video_size
    assert data == fake.video_bytes(task_id)
    size, kind, brand = struct.unpack(">I4s4s", data[:12])
    assert (size, kind, brand) == (0x18, b"ftyp", b"isom")
    mdat_size, mdat = struct.unpack(">I4s", data[24:32])
    assert mdat == b"mdat" and 24 + mdat_size == len(data)

    big = 40 * 1024 * 1024 + 7
    fake.set_video_size(task_id, big)
    received = 0
    async with http.get(url) as resp:
        assert resp.content_length == big
        first = await resp.content.read(8)
        received += len(first)
        async for chunk in resp.content.iter_chunked(1 << 20):
            received += len(chunk)
    assert first[4:8] == b"ftyp" and received == big

    async with http.get(f"{fake.base_url}/cdn/unknown.mp4") as resp:
        assert resp.status == 404


def test_mp4_header_large_files_use_largesize() -> None:
    header = mp4_header(5 * 1024**3)
    assert header[24:32] == struct.pack(">I4s", 1, b"mdat")
    assert struct.unpack(">Q", header[32:40])[0] == 5 * 1024**3 - 24
    with pytest.raises(ValueError):
        mp4_header(10)


async def test_extend_validation(fake: FakeKling, http: ClientSession) -> None:
    status, body = await create(http, fake, action="extend", video_id="123456789012345678")
    assert status == 400
    assert set(body) == ERROR_KEYS and body["error"]["code"] == "bad_request"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert fake.tasks == {}

    _, body = await create(http, fake)
    source = await fake.wait_for(lambda: fake.tasks[body["task_id"]].video_id, timeout=5)
    status, body = await create(http, fake, action="extend", video_id=source, prompt=None)
    assert status == 200 and body["success"] is True
    # 5 or 10 seconds more (10 comes back as 9.6), nothing else.
    status, body = await create(http, fake, action="extend", video_id=source, duration=10)
    assert status == 200
    made = await fake.wait_for(lambda: fake.tasks[body["task_id"]].video_id, timeout=5)
    assert made and fake.tasks[body["task_id"]].duration == pytest.approx(5.041 + 9.6)
    status, body = await create(http, fake, action="extend", video_id=source, duration=7)
    assert status == 400 and body["error"]["message"] == "duration is invalid."
    # A source made more than 30 days ago is not extended.
    old = next(t for t in fake.tasks.values() if t.video_id == source)
    old.created_at -= 31 * 86400
    old.finished_at = (old.finished_at or old.created_at) - 31 * 86400
    status, body = await create(http, fake, action="extend", video_id=source)
    assert status == 400 and "30 days" in body["error"]["message"]

    for bad in (
        {"model": "kling-v9"},
        {"duration": 7},
        {"action": "image2video"},
        {"prompt": ""},
        {"action": "dance"},
    ):
        status, body = await create(http, fake, **bad)
        assert status == 400, bad
        assert body["error"]["code"] == "bad_request"


async def test_never_finish_and_latency_close_cleanly(fake: FakeKling, http: ClientSession) -> None:
    fake.never_finish = True
    fake.processing_seconds = 0.01
    _, body = await create(http, fake)
    task_id = body["task_id"]
    with pytest.raises(TimeoutError):
        await fake.wait_for(lambda: fake.tasks[task_id].done, timeout=0.2)
    fake.never_finish = False
    await fake.wait_for(lambda: fake.tasks[task_id].done, timeout=5)

    fake.latency = 0.3
    loop_time = asyncio.get_running_loop().time
    start = loop_time()
    await query(http, fake, {"action": "retrieve", "id": task_id})
    assert loop_time() - start >= 0.25

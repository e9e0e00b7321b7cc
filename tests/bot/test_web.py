"""The bot's public web server (`bot.web`): the Kling callback (health and metrics are on the
operator address, tests/bot/test_operator_web.py).

A forged, malformed, oversized or misdirected callback changes nothing. Behind proxies and on
real networks a callback body comes chunked (Transfer-Encoding: chunked) or split across TCP
segments (sent here over a raw socket): the bot must read it whole whatever its framing, and
refuse one that passes 1 MiB as soon as it does, without waiting for the rest.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp

from bot.engine import Engine
from bot.store import Job, JobState, LedgerStatus
from bot.tracker import MAX_CALLBACK_BYTES
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import EngineFactory
from tests.support import RecordingNotifier, eventually, text_job

PAUSE = 0.05


async def finished_without_callback(make_engine: EngineFactory, fake_kling: FakeKling
                                    ) -> tuple[Engine, RecordingNotifier, Job, bytes]:
    """A SUBMITTED job whose task Kling finished, with the callback body Kling would send.
    The poller looks only much later, so whatever records the result is our callback."""
    fake_kling.auto_finish = False
    fake_kling.suppress_callbacks = True
    engine, notifier = await make_engine(poll_interval_seconds=30)
    job = await engine.jobs.request(text_job())
    assert job.state is JobState.SUBMITTED and job.task_id
    await fake_kling.finish(job.task_id)
    body = json.dumps(fake_kling.tasks[job.task_id].callback_body()).encode()
    return engine, notifier, job, body


def request_head(job: Job, framing: str) -> bytes:
    return (f"POST /kling/callback/{job.callback_token} HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{framing}\r\nConnection: close\r\n\r\n").encode()


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


async def read_status(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    return int(status_line.split()[1])


async def send_in_pieces(engine: Engine, head: bytes, pieces: list[bytes]) -> int:
    """Write the head, then each piece with a pause between; return the answer's status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", engine.web.port)
    try:
        writer.write(head)
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(PAUSE)
        return await asyncio.wait_for(read_status(reader), 10)
    finally:
        writer.close()


async def assert_recorded_by_callback(engine: Engine, notifier: RecordingNotifier,
                                      fake_kling: FakeKling, job: Job) -> None:
    await eventually(lambda: notifier.delivered)
    await engine.jobs.idle()  # the delivery records itself just after posting
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.DELIVERED
    assert stored.video_id == fake_kling.tasks[job.task_id or ""].video_id
    assert engine.receiver.counts == {200: 1}
    assert fake_kling.batch_calls == [], "the poller, not the callback, found the result"


async def test_chunked_callback_in_several_chunks_is_read_whole(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier, job, body = await finished_without_callback(make_engine, fake_kling)
    third = len(body) // 3
    pieces = [chunk(body[:third]), chunk(body[third:2 * third]), chunk(body[2 * third:]),
              b"0\r\n\r\n"]
    status = await send_in_pieces(engine, request_head(job, "Transfer-Encoding: chunked"),
                                  pieces)
    assert status == 200
    await assert_recorded_by_callback(engine, notifier, fake_kling, job)


async def test_content_length_callback_split_in_two_writes_is_read_whole(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier, job, body = await finished_without_callback(make_engine, fake_kling)
    half = len(body) // 2
    status = await send_in_pieces(engine, request_head(job, f"Content-Length: {len(body)}"),
                                  [body[:half], body[half:]])
    assert status == 200
    await assert_recorded_by_callback(engine, notifier, fake_kling, job)


async def test_chunked_callback_over_one_mib_is_refused_before_it_ends(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, notifier, job, _ = await finished_without_callback(make_engine, fake_kling)
    reader, writer = await asyncio.open_connection("127.0.0.1", engine.web.port)
    piece = b" " * (64 * 1024)
    try:
        writer.write(request_head(job, "Transfer-Encoding: chunked") + chunk(b"{"))
        for _ in range(MAX_CALLBACK_BYTES // len(piece) + 2):
            writer.write(chunk(piece))
            await writer.drain()
        # The client has not finished (no closing brace, no last chunk) and waits: the
        # answer must come anyway.
        status = await asyncio.wait_for(read_status(reader), 10)
    finally:
        writer.close()
    assert status == 413
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.SUBMITTED
    assert notifier.delivered == []


async def test_content_length_over_one_mib_is_refused_before_the_body(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    engine, _, job, _ = await finished_without_callback(make_engine, fake_kling)
    head = request_head(job, f"Content-Length: {MAX_CALLBACK_BYTES + 1}")
    # Not one byte of the body is sent: the declared length alone is enough to refuse.
    status = await send_in_pieces(engine, head, [])
    assert status == 413


async def test_forged_bad_and_oversized_callbacks_change_nothing(
        make_engine: EngineFactory, fake_kling: FakeKling) -> None:
    fake_kling.auto_finish = False
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    base = f"{engine.settings.public_base_url}/kling/callback"
    good = {"success": True, "task_id": job.task_id, "video_id": "1",
            "video_url": "http://127.0.0.1:1/x.mp4", "duration": "5.0", "state": "succeed"}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/not-a-real-token", json=good) as resp:
            assert resp.status == 404
        async with http.post(f"{base}/{job.callback_token}", data=b"{not json",
                             headers={"content-type": "application/json"}) as resp:
            assert resp.status == 400
        async with http.post(f"{base}/{job.callback_token}",
                             data=b"{" + b" " * (1024 * 1024 + 10) + b"}") as resp:
            assert resp.status == 413
        other = dict(good, task_id="someone-elses-task")
        async with http.post(f"{base}/{job.callback_token}", json=other) as resp:
            assert resp.status == 400
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.SUBMITTED
    assert notifier.delivered == [] and notifier.failures == []
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.HELD)

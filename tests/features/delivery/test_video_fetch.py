"""Fetching results: public addresses only, redirects checked, a folder per instance.

The fake Kling serves its files on 127.0.0.1, which the tests' settings trust
(TRUSTED_VIDEO_HOSTS=127.0.0.1). The same files under another name for a private address
(`localhost`, `127.0.0.2`) are what a hostile or broken result would point at: the bot must
refuse them without connecting, fail the job with a refund, and tell the operator the host.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.download import (
    UnsafeVideoUrl,
    VideoFetcher,
    address_refusal,
    literal_address,
    video_directory,
)
from bot.engine import Engine
from bot.store import Job, JobState, LedgerStatus
from testkit.fakes.kling import FakeKling
from testkit.store_reads import ledger_entry
from tests.conftest import EngineFactory
from tests.discord_support import World
from tests.support import KLING_TOKEN, RecordingNotifier, eventually, text_job


def files_in(folder: Path) -> list[Path]:
    return list(folder.iterdir())


def fake_port(fake: FakeKling) -> int:
    return int(URL(fake.base_url).port or 0)


# -- the address classifier ------------------------------------------------------------------

@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fc00::1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "shared (CGNAT)"), ("100.127.255.254", "shared (CGNAT)"),
    ("240.0.0.1", "private"), ("192.0.2.1", "private"),
    ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"),
    ("::ffff:10.0.0.1", "private"), ("2002:7f00:1::", "loopback"),
    ("64:ff9b::a9fe:a9fe", "link-local"),
])
def test_addresses_that_are_not_public_are_refused(address: str, reason: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "::ffff:8.8.8.8",
    "2606:4700:4700::1111", "64:ff9b::808:808",
])
def test_public_addresses_pass(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("host", ["2130706433", "127.1", "0x7f.0.0.1", "017700000001"])
def test_legacy_ipv4_spellings_are_read_as_the_address_they_mean(host: str) -> None:
    assert literal_address(host) == ipaddress.IPv4Address("127.0.0.1")


# -- the fetcher on its own, against the fake's file server -----------------------------------

class FakeDns(AbstractResolver):
    """A DNS that knows a few names (the real one would need the network)."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        self.asked.append(host)
        return [ResolveResult(hostname=host, host=address, port=port,
                              family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                              proto=0, flags=socket.AI_NUMERICHOST)
                for address in self.names[host]]

    async def close(self) -> None:
        pass


async def finished_task(fake: FakeKling) -> str:
    """A task the fake finished, whose file it serves."""
    fake.auto_finish = False
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {KLING_TOKEN}"}) as http:
        async with http.post(f"{fake.base_url}/kling/videos",
                             json={"action": "text2video", "model": "kling-v1", "async": True,
                                   "prompt": "a paper boat"}) as resp:
            task_id = str((await resp.json())["task_id"])
    await fake.finish(task_id)
    return task_id


@pytest.mark.parametrize("host", ["127.0.0.2", "[::ffff:127.0.0.1]", "2130706433", "0.0.0.0"])
async def test_a_private_ip_in_the_url_is_never_connected_to(
        fake_kling: FakeKling, tmp_path: Path, host: str) -> None:
    fetcher = VideoFetcher(tmp_path, frozenset({"127.0.0.1"}))
    task_id = await finished_task(fake_kling)
    try:
        with pytest.raises(UnsafeVideoUrl):
            async with fetcher.download(f"http://{host}:{fake_port(fake_kling)}/cdn/"
                                        f"{task_id}.mp4", max_bytes=1 << 20):
                pass
    finally:
        await fetcher.close()
    assert fake_kling.downloads == []
    assert files_in(tmp_path) == [], "the temporary file is removed"


async def test_every_address_of_a_name_is_checked_and_the_checked_one_is_used(
        fake_kling: FakeKling, tmp_path: Path) -> None:
    dns = FakeDns({"mixed.example": ["93.184.216.34", "127.0.0.1"],
                   "videos.example": ["127.0.0.1"]})
    fetcher = VideoFetcher(tmp_path, frozenset({"videos.example"}), dns=dns)
    task_id = await finished_task(fake_kling)
    path = f":{fake_port(fake_kling)}/cdn/{task_id}.mp4"
    try:
        with pytest.raises(UnsafeVideoUrl) as refused:
            async with fetcher.download(f"http://mixed.example{path}", max_bytes=1 << 20):
                pass
        assert refused.value.host == "mixed.example" and "127.0.0.1" in refused.value.reason
        assert fake_kling.downloads == []
        # A trusted name is fetched from the address its one resolution gave.
        async with fetcher.download(f"http://videos.example{path}", max_bytes=1 << 20) as video:
            assert video.path.read_bytes() == fake_kling.video_bytes(task_id)
    finally:
        await fetcher.close()
    assert dns.asked == ["mixed.example", "videos.example"]


# -- the job's life: refused results fail with a refund ----------------------------------------

async def refused_job(engine: Engine, notifier: RecordingNotifier) -> Job:
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.failures)
    await engine.jobs.idle()
    stored = await engine.store.get_job(job.id)
    assert stored is not None and stored.state is JobState.FAILED
    assert stored.error_code == "unsafe_video_url"
    assert await ledger_entry(engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)
    assert notifier.delivered == []
    [(failed_id, message)] = notifier.failures
    assert failed_id == job.id and "may not fetch" in message
    return stored


def operator_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.ERROR and r.getMessage().startswith("OPERATOR:")]


async def test_a_result_on_an_untrusted_private_host_is_refused_without_a_request(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    fake_kling.video_base_url = f"http://localhost:{fake_port(fake_kling)}"
    engine, notifier = await make_engine()
    job = await refused_job(engine, notifier)
    assert fake_kling.downloads == [], "the bot connected to a refused address"
    [line] = operator_lines(caplog)
    assert job.id in line and "localhost" in line and "TRUSTED_VIDEO_HOSTS" in line


async def test_a_redirect_to_an_untrusted_host_is_not_followed(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    fake_kling.video_redirects = 1
    fake_kling.redirect_base_url = f"http://localhost:{fake_port(fake_kling)}"
    engine, notifier = await make_engine()
    job = await refused_job(engine, notifier)
    # The trusted host answered the redirect; its target was never asked.
    assert fake_kling.downloads == [job.task_id]
    [line] = operator_lines(caplog)
    assert "localhost" in line


async def test_more_than_three_redirects_are_refused(
        make_engine: EngineFactory, fake_kling: FakeKling,
        caplog: pytest.LogCaptureFixture) -> None:
    fake_kling.video_redirects = 4
    engine, notifier = await make_engine()
    job = await refused_job(engine, notifier)
    assert fake_kling.downloads == [job.task_id] * 4, "the fourth redirect was followed"
    [line] = operator_lines(caplog)
    assert "more than 3 redirects" in line


async def test_a_trusted_host_is_fetched_through_three_redirects(
        make_engine: EngineFactory, fake_kling: FakeKling, no_error_logs: object) -> None:
    fake_kling.video_redirects = 3
    engine, notifier = await make_engine()
    job = await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    [delivered] = notifier.delivered
    assert delivered.job_id == job.id
    assert delivered.size == len(fake_kling.video_bytes(job.task_id or ""))
    assert fake_kling.downloads == [job.task_id] * 4


async def test_no_link_to_a_refused_host_is_posted_in_discord(world: World) -> None:
    """Through the real Discord notifier: no result, no link, a failure notice with the
    refund, in the job's thread."""
    world.kling.video_base_url = f"http://localhost:{fake_port(world.kling)}"
    bot = await world.start_bot()
    await world.video(world.alice)
    card = await world.discord.wait_for_message(world.discord.channel_id,
                                                lambda m: bool(m["embeds"]))
    thread_id = int(card["id"])
    notice = await world.discord.wait_for_message(
        thread_id, lambda m: "could not be made" in m["content"], 15)
    assert "may not fetch" in notice["content"] and "refunded" in notice["content"]
    posted = [m["content"] for m in world.discord.messages_in(thread_id)]
    posted += [m["content"] for m in world.discord.messages_in(world.discord.channel_id)]
    assert not any("localhost" in text or "your video is ready" in text for text in posted)
    assert world.kling.downloads == []
    [job] = await bot.engine.store.jobs_in_state((JobState.FAILED,))
    assert await ledger_entry(bot.engine.store, job.id) == (job.cost, LedgerStatus.REFUNDED)


# -- the instance's temporary folder (item 12) ---------------------------------------------------

async def test_files_left_by_a_killed_process_are_removed_at_start(
        make_engine: EngineFactory, fake_kling: FakeKling, tmp_path: Path) -> None:
    mine = video_directory(tmp_path, "local")
    mine.mkdir()
    (mine / "video-left-by-a-kill.mp4").write_bytes(b"x" * 1000)
    other = video_directory(tmp_path, "another-live-process")
    other.mkdir()
    (other / "video-in-progress.mp4").write_bytes(b"y")

    engine, notifier = await make_engine(instance_id="local")
    assert engine.videos.directory == mine
    assert files_in(mine) == []
    assert (other / "video-in-progress.mp4").exists(), "another instance's file was removed"

    await engine.jobs.request(text_job())
    await eventually(lambda: notifier.delivered)
    [path] = notifier.download_paths
    assert path.parent == mine
    assert not path.exists(), "the download's file outlived its delivery"

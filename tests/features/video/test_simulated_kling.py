"""KLING_API_BASE=simulated ("Try it before paying"): the bot runs a Kling of its own
that makes real videos with FFmpeg, and everything else runs as it does against Kling: the
client, the callback receiver or the poller, the video fetcher (trusting exactly the
simulator's address), the upload to Discord, the buttons.

The videos are checked with FFmpeg itself (the `imageio-ffmpeg` binary; that wheel carries no
ffprobe): the container's duration, the codec, and a full decode without a single error.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.download import UnsafeVideoUrl, VideoFetcher
from bot.kling.capabilities import load_capabilities
from bot.kling.simulated import SimulatedKling
from bot.media import ffmpeg_executable
from testkit.fakes.discord import FakeDiscord
from testkit.processes import BotProcess
from tests.discord_support import World, components_of, custom_ids
from tests.support import free_port

pytestmark = pytest.mark.timeout(90)


def probe(data: bytes, folder: Path) -> tuple[float, str]:
    """(duration in seconds, the first stream's description) of an MP4, after decoding it
    whole: a video that does not play raises."""
    path = folder / "probe.mp4"
    path.write_bytes(data)
    ffmpeg = ffmpeg_executable()
    decoded = subprocess.run([ffmpeg, "-v", "error", "-i", str(path), "-f", "null", "-"],
                             capture_output=True, text=True, timeout=60, check=False)
    assert decoded.returncode == 0 and decoded.stderr == "", decoded.stderr
    info = subprocess.run([ffmpeg, "-hide_banner", "-i", str(path)], capture_output=True,
                          text=True, timeout=60, check=False).stderr
    found = re.search(r"Duration: (\d+):(\d+):(\d+\.\d+)", info)
    assert found is not None, info
    hours, minutes, seconds = found.groups()
    stream = re.search(r"Stream #0:0.*", info)
    assert stream is not None, info
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds), stream.group(0)


def result_video(world: World, thread_id: int, index: int = 0) -> tuple[dict[str, Any], bytes]:
    result = [m for m in world.discord.messages_in(thread_id)
              if "your video is ready" in m["content"]][index]
    [attachment] = result["attachments"]
    return result, world.discord.attachment_bytes(attachment["id"])


@pytest.mark.usefixtures("no_bot_errors")
async def test_a_simulated_video_and_its_extend_reach_discord_as_real_videos(
        world: World, tmp_path: Path) -> None:
    # No Kling token, and no trusted hosts: the simulator's own address is the only one.
    bot = await world.start_bot(kling_api_base="simulated", kling_api_token="",
                                simulated_seconds=1.0, trusted_video_hosts=frozenset())
    assert bot.engine.simulator is not None
    await world.video(world.alice, options={"prompt": "a lighthouse in a storm",
                                            "duration": 5, "aspect_ratio": "9:16"})
    [job] = await world.wait_delivered(bot, timeout=30)
    assert job.thread_id is not None
    result, data = result_video(world, job.thread_id)
    seconds, stream = probe(data, tmp_path)
    assert abs(seconds - 5.0) < 0.2 and "h264" in stream and "360x640" in stream
    assert job.video_duration == 5.0 and job.video_url and job.video_url.startswith(
        bot.engine.simulator.base_url)
    # No link button to the simulator's 127.0.0.1 address, which members cannot open.
    assert not [c for c in components_of(result) if c.get("url")]
    # The card says it is a simulation; the fake Kling was never asked.
    assert "Simulated Kling" in world.card()["embeds"][0]["footer"]["text"]
    assert world.kling.create_count == 0

    # Every button works too: Extend makes a longer video from the simulated one.
    extend = next(c for c in custom_ids(result) if c.startswith("kling:extend:"))
    await world.discord.click(world.alice.user.id, int(result["id"]), extend)
    jobs = await world.wait_delivered(bot, 2, timeout=30)
    extended = next(j for j in jobs if j.parent_job_id == job.id)
    assert extended.request["video_id"] == job.video_id
    _, data = result_video(world, job.thread_id, 1)
    seconds, _ = probe(data, tmp_path)
    assert abs(seconds - 10.0) < 0.2
    # Staff see it in /klingbot status too.
    status = await world.discord.slash(world.discord.guild_id, world.discord.channel_id,
                                       world.moderator.user.id, "klingbot", ["status"], {})
    assert "simulated Kling" in await world.wait_private_reply(status)


async def test_the_simulator_validates_like_the_bot_and_answers_like_kling(
        tmp_path: Path) -> None:
    simulator = SimulatedKling(load_capabilities(None), seconds=0.1, root=tmp_path)
    await simulator.start()
    try:
        async with aiohttp.ClientSession() as http:
            async def create(body: dict[str, Any]) -> tuple[int, Any]:
                async with http.post(simulator.base_url + "/kling/videos", json=body) as r:
                    return r.status, await r.json()

            status, answer = await create({"action": "text2video", "model": "kling-v1",
                                           "prompt": "x", "duration": 7})
            assert status == 400 and answer["error"]["code"] == "bad_request"
            assert "duration" in answer["error"]["message"]
            for bad in ({"action": "text2video", "model": "no-such-model", "prompt": "x"},
                        {"action": "text2video", "model": "kling-v1", "prompt": "x",
                         "camera_control": {"type": "spin"}},
                        {"action": "text2video", "model": "kling-v1", "prompt": "x",
                         "duration": "5"},
                        {"action": "extend", "model": "kling-v1", "video_id": "not-ours"}):
                assert (await create(bad))[0] == 400, bad
            status, answer = await create({
                "action": "text2video", "model": "kling-v1", "mode": "std", "prompt": "x",
                "duration": 5, "camera_control": {"type": "forward_up"}, "async": True})
            assert status == 200
            task_id = answer["task_id"]
            async with http.post(simulator.base_url + "/kling/tasks",
                                 json={"action": "retrieve", "id": "unknown"}) as r:
                assert await r.json() == {}
            for _ in range(300):
                async with http.post(simulator.base_url + "/kling/tasks",
                                     json={"action": "retrieve_batch",
                                           "ids": [task_id]}) as r:
                    [record] = (await r.json())["items"]
                if "response" in record:
                    break
                await asyncio.sleep(0.05)
            response = record["response"]
            assert response["state"] == "succeed" and response["duration"] == "5.000"
            async with http.get(response["video_url"]) as r:
                assert r.status == 200 and r.headers["Content-Type"] == "video/mp4"
                assert len(await r.read()) > 1000
    finally:
        await simulator.close()


def test_the_fetcher_trusts_exactly_the_simulators_address(tmp_path: Path) -> None:
    from yarl import URL

    fetcher = VideoFetcher(tmp_path / "videos")
    fetcher.trust_origin("127.0.0.1", 4567)
    fetcher.check_url(URL("http://127.0.0.1:4567/videos/sim-1.mp4"))
    for refused in ("http://127.0.0.1:4568/videos/sim-1.mp4", "http://127.0.0.2:4567/x.mp4",
                    "http://10.0.0.1:4567/x.mp4", "http://[::1]:4567/x.mp4"):
        with pytest.raises(UnsafeVideoUrl):
            fetcher.check_url(URL(refused))


async def test_the_bot_process_runs_with_only_a_discord_token(
        tmp_path: Path, fake_discord: FakeDiscord) -> None:
    """The README's first command, `python -m bot`, with DISCORD_TOKEN and
    KLING_API_BASE=simulated: no Kling token, no public URL (results by the poller), the
    global command sync. Only the test's plumbing is added: where the database, the
    temporary files and the web server go (so as not to touch this machine's), and where
    the fake Discord is."""
    member = await fake_discord.add_member(fake_discord.guild_id, name="alice")
    env = {
        "PATH": os.environ["PATH"], "HOME": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "DISCORD_TOKEN": fake_discord.bot_token, "KLING_API_BASE": "simulated",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "TMPDIR": str(tmp_path),
        "WEB_HOST": "127.0.0.1", "WEB_PORT": str(free_port()),
        "METRICS_PORT": "0",
        "KLINGCORD_TEST_DISCORD_API": fake_discord.api_base,
        "KLINGCORD_TEST_DISCORD_GATEWAY": fake_discord.gateway_url,
    }
    log = tmp_path / "bot.log"
    bot = BotProcess(env, log)
    await bot.start()
    try:
        await fake_discord.wait_until(lambda: fake_discord.commands.get(None), 30,
                                      "the global command sync")
        await fake_discord.slash(fake_discord.guild_id, fake_discord.channel_id,
                                 member.user.id, "video", ["text"],
                                 {"prompt": "a paper boat", "duration": 5})
        card = await fake_discord.wait_for_message(
            fake_discord.channel_id, lambda m: bool(m["embeds"]), timeout=30,
            include_ephemeral=False)
        result = await fake_discord.wait_for_message(
            int(card["id"]), lambda m: "your video is ready" in m["content"], timeout=45)
        [attachment] = result["attachments"]
        seconds, stream = probe(fake_discord.attachment_bytes(attachment["id"]), tmp_path)
        assert abs(seconds - 5.0) < 0.2 and "640x360" in stream
    finally:
        await bot.stop()
    output = log.read_text()
    assert "Kling is SIMULATED" in output and "Traceback" not in output

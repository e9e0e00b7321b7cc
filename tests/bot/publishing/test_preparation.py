"""What the core prepares for posting, without a gateway: a result attached as it came,
re-encoded to fit, or linked with the reason; its buttons by what the model can do; a joined
story a spoiler when any part is one; and nothing prepared from a video a moderator removed.
Real FFmpeg on real files served over HTTP by a tiny local server."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.download import VideoFetcher
from bot.kling.capabilities import load_capabilities
from bot.media import FFmpeg, VideoTools, ffmpeg_executable
from bot.publishing import RemovedPart
from bot.publishing.frames import frame_post
from bot.publishing.joins import joined_post
from bot.publishing.results import result_buttons, result_post
from bot.store import Job, JobState
from tests.builders import job
from tests.videos import make_video

pytestmark = pytest.mark.timeout(60)

TABLE = load_capabilities(None)
MB = 1024 * 1024


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("served")
    return {
        "small.mp4": make_video(folder / "small.mp4", seconds=2, size="320x180"),
        "large.mp4": make_video(folder / "large.mp4", seconds=3, size="1280x720",
                                lossless=True),
    }


@pytest.fixture
async def served(files: dict[str, Path]) -> AsyncIterator[str]:
    """A local server of `files` (and a 404 for anything else); its base address."""
    app = web.Application()

    async def serve(request: web.Request) -> web.StreamResponse:
        path = files.get(request.match_info["name"])
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path)

    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def tools(tmp_path: Path, served: str) -> AsyncIterator[tuple[VideoFetcher, VideoTools]]:
    videos = VideoFetcher(tmp_path / "work")
    videos.prepare()
    host, port = served.removeprefix("http://").split(":")
    videos.trust_origin(host, int(port))
    try:
        yield videos, VideoTools(FFmpeg(ffmpeg_executable(), concurrency=1, timeout=60),
                                 videos.directory)
    finally:
        await videos.close()


def finished(job_id: str, url: str, **changes: object) -> Job:
    base = dataclasses.replace(job(job_id, 1, 2, 0.0), state=JobState.DELIVERED,
                               model="kling-v1-6", video_url=url, video_id="v" + job_id)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


async def test_a_result_that_fits_is_attached_as_it_came(
        tools: tuple[VideoFetcher, VideoTools], served: str, files: dict[str, Path]) -> None:
    videos, media = tools
    source = finished("a" * 20, f"{served}/small.mp4")
    async with result_post(source, 10 * MB, videos=videos, media=media, capabilities=TABLE,
                           simulated=False) as post:
        assert post.form == "attach" and post.notes == ()
        assert post.path is not None and post.path.read_bytes() == files[
            "small.mp4"].read_bytes()
        assert post.link == source.video_url and not post.spoiler
        kept = post.path
    assert not kept.exists(), "the downloaded file is removed after the post"


async def test_a_result_over_the_limit_is_fitted_and_says_so(
        tools: tuple[VideoFetcher, VideoTools], served: str, files: dict[str, Path]) -> None:
    videos, media = tools
    limit = files["large.mp4"].stat().st_size // 3
    source = finished("b" * 20, f"{served}/large.mp4", spoiler=True)
    async with result_post(source, limit, videos=videos, media=media, capabilities=TABLE,
                           simulated=True) as post:
        assert post.form == "fitted" and post.path is not None
        assert post.path.stat().st_size <= limit
        assert [n.code for n in post.notes] == ["result.fitted"]
        assert post.spoiler and post.link is None  # simulated: no link to the bot's own host


async def test_a_result_that_cannot_be_fetched_is_posted_as_its_link(
        tools: tuple[VideoFetcher, VideoTools], served: str) -> None:
    videos, media = tools
    source = finished("c" * 20, f"{served}/missing.mp4")
    async with result_post(source, 10 * MB, videos=videos, media=media, capabilities=TABLE,
                           simulated=False) as post:
        assert post.form == "link" and post.path is None
        assert [n.code for n in post.notes] == ["result.link_download"]
        refused = post.as_link(post.notes[0])
        assert refused.buttons == post.buttons


async def test_buttons_follow_the_model_the_chain_and_the_server() -> None:
    extendable = finished("d" * 20, "https://x/v.mp4")
    assert result_buttons(extendable, TABLE) == ("extend", "extend-prompt", "report")
    continued = dataclasses.replace(extendable, model="kling-v2-6", parent_job_id="e" * 20)
    assert result_buttons(continued, TABLE) == ("continue", "continue-prompt", "join",
                                                "report")
    in_dm = dataclasses.replace(extendable, guild_id=None)
    assert result_buttons(in_dm, TABLE) == ("extend", "extend-prompt")


async def test_a_story_is_a_spoiler_when_any_part_is(
        tools: tuple[VideoFetcher, VideoTools], served: str) -> None:
    videos, media = tools
    first = finished("f" * 20, f"{served}/small.mp4", spoiler=True)
    second = finished("0" * 20, f"{served}/small.mp4", parent_job_id=first.id,
                      action="image2video")
    async with joined_post([first, second], 10 * MB, videos=videos, media=media) as post:
        assert post.spoiler and post.parts == 2 and post.path.exists()
        assert post.filename == f"kling-story-{second.id}.mp4"
        assert post.buttons == ("report",)


async def test_nothing_is_prepared_from_a_removed_video(
        tools: tuple[VideoFetcher, VideoTools], served: str) -> None:
    videos, media = tools
    removed = finished("1" * 20, f"{served}/small.mp4", removed_at=5.0, removed_by=9)
    after = finished("2" * 20, f"{served}/small.mp4", parent_job_id=removed.id)
    for preparing in (
            result_post(removed, 10 * MB, videos=videos, media=media, capabilities=TABLE,
                        simulated=False),
            frame_post(removed, 7, videos=videos, media=media),
            joined_post([removed, after], 10 * MB, videos=videos, media=media)):
        with pytest.raises(RemovedPart) as refused:
            async with preparing:
                pass
        assert refused.value.code == "access.removed"
    assert list(videos.directory.iterdir()) == [], "nothing was fetched"

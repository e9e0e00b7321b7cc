"""Fitting a result to the upload limit: the bot's memory while it re-encodes a 300 MB
result to fit a server without boosts (10 MiB), and the time a fit of a 10 s 1080p result takes
against a bare `ffmpeg` command doing the same encode.

Memory: the bot runs as its own process (`python -m bench.run_bot`); the fake Kling serves a
real 300 MB video (made here by FFmpeg: 1080p, a noisy test pattern in lossless H.264, with a
tone), which the bot streams to a temporary file, re-encodes in an FFmpeg child process and
uploads. Reported separately: the bot's Python process (peak RSS by the kernel's VmHWM, reset
just before the result is released, and a 5 ms VmRSS sampler, minus its idle RSS over the
second before; the target is for this process), and the FFmpeg child's own peak (VmHWM,
sampled every 20 ms while it runs), which is the encoder's working memory and depends on the
picture size, not the file's.

Time: the bot's fitting call (`VideoTools.fitted`: reading the file's facts, planning the rates,
the encode, checking the size) against the same FFmpeg command line run bare, each run 3 times
in turn on a 10 s 1080p30 result with sound, median against median.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

from bench.harness import (
    MIB,
    BotProcess,
    Context,
    Fakes,
    Figure,
    RssSampler,
    bot_env,
    fakes,
    mb,
    proc_status,
    reset_peak,
    running_bot,
)
from bot.media import FFmpeg, VideoTools, ffmpeg_executable
from bot.media.fitting import fit_command, plan_fit
from testkit.fakes.discord import Member

TARGET_GROWTH_KIB = 30 * 1024
TARGET_RATIO = 1.1
LIMIT = 10 * MIB
RUNS = 3


def make_video(path: Path, *, seconds: float, noise: int, rate: int = 24) -> Path:
    """1080p test pattern (with `noise` grain, which makes lossless H.264 large) and a tone."""
    subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc2=size=1920x1080:rate={rate}:duration={seconds},noise=alls={noise}:allf=t",
         "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-shortest", str(path)], check=True, timeout=600)
    return path


def children_of(pid: int) -> list[int]:
    """The ids of the processes `pid` started (the FFmpeg encodes), from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


async def child_peak(pid: int, stop: asyncio.Event) -> int:
    """The highest VmHWM of any child of `pid` (the FFmpeg encodes) until `stop` is set."""
    peak = 0
    while not stop.is_set():
        for child in children_of(pid):
            with contextlib.suppress(OSError, KeyError):
                peak = max(peak, proc_status(child)["VmHWM"])
        await asyncio.sleep(0.02)
    return peak


async def fit_one(fx: Fakes, bot: BotProcess, member: Member, video: Path
                  ) -> tuple[int, int, int, int, float]:
    """(idle KiB, peak KiB by VmHWM, peak KiB sampled, FFmpeg child's peak KiB, seconds)."""
    posted_before = len(fx.discord.requests_to("POST", r"/channels/\d+/messages$"))
    known = set(fx.kling.tasks)
    await fx.video(member)
    task_id: str = await fx.kling.wait_for(
        lambda: next(iter(set(fx.kling.tasks) - known), ""), 30)
    await bot.wait_jobs("submitted", 1, 30)
    fx.kling.tasks[task_id].video_path = video

    sampler = RssSampler(bot.pid)
    sampler.start()
    await asyncio.sleep(1.0)
    idle = sampler.peak_kib
    await sampler.stop()

    hwm_reset = reset_peak(bot.pid)
    sampler.start()
    stop = asyncio.Event()
    child = asyncio.create_task(child_peak(bot.pid, stop))
    started = time.monotonic()
    await fx.kling.finish(task_id)

    def result_posted() -> bool:
        posted = fx.discord.requests_to("POST", r"/channels/\d+/messages$")
        return any("your video is ready" in str((r.json or {}).get("content", ""))
                   for r in posted[posted_before:] if r.status)

    await fx.discord.wait_until(result_posted, 600, "the result message")
    seconds = time.monotonic() - started
    await bot.wait_jobs("delivered", len(known) + 1, 30)
    stop.set()
    await sampler.stop()
    hwm = proc_status(bot.pid)["VmHWM"] if hwm_reset else 0
    return idle, hwm, sampler.peak_kib, await child, seconds


async def memory_figure(ctx: Context, warm: Path, big: Path, big_size: int) -> Figure:
    """The bot's memory while it fits a video too big for the upload limit."""
    async with fakes() as fx:
        members = await fx.add_members(2)
        env = bot_env(fx, ctx.sqlite_url("fitting.db"), extra=ctx.env_extra())
        async with running_bot(fx, env, ctx.workdir / "fitting.log") as bot:
            # Warm-up: one small upload end to end (first-use imports and buffers are part of
            # "idle", as in a process that has run for a while).
            await fit_one(fx, bot, members[0], warm)
            idle, hwm, sampled, child, seconds = await fit_one(fx, bot, members[1], big)
            posted = [r for r in fx.discord.requests_to("POST", r"/channels/\d+/messages$")
                      if "Re-encoded" in str((r.json or {}).get("content", ""))]
    growth = max(hwm, sampled) - idle
    return Figure(
        name="memory while fitting",
        measured=f"300 MB result: bot process +{mb(growth)}; FFmpeg child peak {mb(child)}",
        target=f"< {TARGET_GROWTH_KIB // 1024} MB growth of the bot process",
        ok=growth < TARGET_GROWTH_KIB and len(posted) == 1,
        notes=[f"a {big_size / 1e6:.0f} MB 1080p result fitted to the 10 MiB limit "
               f"and uploaded in {seconds:.1f} s (fetch, encode, upload); bot process idle "
               f"{mb(idle)}, peak {mb(max(hwm, sampled))} (VmHWM {mb(hwm)}, sampled "
               f"{mb(sampled)}); the FFmpeg child is a separate process: its peak RSS is "
               f"the encoder's, whatever the file's size; fitted upload posted: "
               f"{'yes' if posted else 'no'}"],
    )


async def time_figure(ctx: Context, source: Path, size: int) -> Figure:
    """How long the bot's fit (through its own FFmpeg wrapper) takes against FFmpeg run bare
    with the same command."""
    executable = ffmpeg_executable()
    tools = VideoTools(FFmpeg(executable), ctx.workdir / "fit")
    facts = await tools.probe(source)
    plan = plan_fit(facts.duration, LIMIT, facts.has_audio)
    assert plan is not None
    bare_target = ctx.workdir / "bare.mp4"
    bare_args = [executable, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
                 "-y", *fit_command(str(source), str(bare_target), plan, facts.width,
                                    facts.height)]
    bot_times: list[float] = []
    bare_times: list[float] = []
    bot_cpu: list[float] = []
    bare_cpu: list[float] = []
    fitted_size = 0

    async def bot_call() -> None:
        nonlocal fitted_size
        async with tools.fitted(source, size, LIMIT) as upload:
            fitted_size = upload.size

    async def bare_call() -> None:
        process = await asyncio.create_subprocess_exec(*bare_args)
        await process.wait()

    # Taken in turn, the order swapped every run, so neither side always runs second (with a
    # warmer page cache, or after the other's load has passed).
    for run in range(RUNS):
        pair = [(bot_call, bot_times, bot_cpu), (bare_call, bare_times, bare_cpu)]
        for call, times, cpu in (pair if run % 2 == 0 else pair[::-1]):
            cpu_before = _children_cpu()
            started = time.monotonic()
            await call()
            times.append(time.monotonic() - started)
            cpu.append(_children_cpu() - cpu_before)
    bare_target.unlink(missing_ok=True)
    ratio = statistics.median(bot_times) / statistics.median(bare_times)
    cpu_ratio = statistics.median(bot_cpu) / statistics.median(bare_cpu)
    return Figure(
        name="fitting time",
        measured=f"{ratio:.2f}x a bare ffmpeg (median {statistics.median(bot_times):.2f} s "
                 f"against {statistics.median(bare_times):.2f} s)",
        target=f"<= {TARGET_RATIO}x",
        ok=ratio <= TARGET_RATIO and fitted_size <= LIMIT,
        notes=[f"a {facts.duration:.0f} s {facts.width}x{facts.height} result with sound "
               f"({size / 1e6:.0f} MB) fitted to 10 MiB: {fitted_size / MIB:.1f} MiB at "
               f"{plan.video_bps / 1e6:.1f} Mbit/s video; bot call "
               f"{', '.join(f'{t:.2f}' for t in bot_times)} s; bare ffmpeg "
               f"{', '.join(f'{t:.2f}' for t in bare_times)} s, the same command line "
               f"(the bot's adds reading the file's facts, one short FFmpeg run); CPU time of "
               f"the FFmpeg processes, bot / bare: {cpu_ratio:.2f}x; {os.cpu_count()} cores "
               f"shared with whatever else runs on the machine (see the load average)"],
    )


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def prepare(workdir: Path) -> dict[str, tuple[Path, int]]:
    """The videos the scenario serves and fits, with their sizes."""
    warm = workdir / "warm.mp4"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=24:duration=1", "-pix_fmt", "yuv420p",
                    str(warm)], check=True, timeout=60)
    made = {
        "warm": warm,
        # About 300 MB: lossless grain runs near 3.9 MB a frame at 1080p.
        "big": make_video(workdir / "big.mp4", seconds=3.2, noise=60),
        "ten": make_video(workdir / "ten.mp4", seconds=10, noise=0, rate=30),
    }
    return {name: (path, path.stat().st_size) for name, path in made.items()}


async def run(ctx: Context) -> list[Figure]:
    """The figures of this scenario (see the module's docstring)."""
    videos = await asyncio.to_thread(prepare, ctx.workdir)
    figures = [await memory_figure(ctx, videos["warm"][0], *videos["big"])]
    await asyncio.to_thread(videos["big"][0].unlink)
    figures.append(await time_figure(ctx, *videos["ten"]))
    return figures

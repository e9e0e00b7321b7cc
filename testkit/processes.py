"""The bot as a real OS process (`testkit/run_bot.py`), for tests that kill it; the benchmarks
run their own entry point through the same class."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    """`python testkit/run_bot.py` with `env`, its output appended to `log`."""

    # What runs; the benchmarks run their own entry point (bench/run_bot.py).
    command: tuple[str, ...] = (sys.executable, str(ROOT / "testkit" / "run_bot.py"))
    # How long a clean stop may take before it becomes a kill.
    stop_grace: float = 15.0

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.started_at = 0.0

    async def start(self) -> None:
        """Start the process; it runs until `stop` or `kill`."""
        with self.log.open("ab") as sink:
            self.started_at = time.monotonic()
            self.proc = await asyncio.create_subprocess_exec(
                *self.command, cwd=ROOT, env=self.env, stdout=sink, stderr=sink)

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as in a crash or an OOM kill."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        """SIGINT, which discord.py turns into a clean close; a kill if it hangs."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.proc.wait(), self.stop_grace)
            except TimeoutError:
                await self.kill()


def children_running(pid: int, marker: bytes) -> list[int]:
    """The child processes of `pid` whose command line contains `marker` (Linux `/proc`): to
    find the FFmpeg a bot runs, apart from the version check its lookup runs."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    found = []
    for child in (path.read_text().split() if path.exists() else []):
        try:
            if marker in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
        except OSError:
            pass
    return found


def running(pid: int) -> bool:
    """Whether `pid` is running: a zombie (exited, not reaped yet by its new parent) is not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()

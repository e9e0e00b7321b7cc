"""The per-channel pacer: one edit in flight per channel, the latest state of each card wins,
the most recently changed card goes next, other channels are not held up."""

from __future__ import annotations

import asyncio

from bot.discord.posting.pacer import ChannelPacer


class Edits:
    """Records sent edits; the first one in channel 1 is held until released, as an edit
    waiting for Discord's bucket is."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.gate = asyncio.Event()

    def send(self, label: str, *, hold: bool = False):  # type: ignore[no-untyped-def]
        async def run() -> None:
            if hold:
                await self.gate.wait()
            self.sent.append(label)
        return run


async def test_superseded_states_are_skipped_and_the_newest_goes_first() -> None:
    pacer, edits = ChannelPacer(), Edits()
    pacer.submit(1, "a", edits.send("a: queued 3", hold=True))
    await asyncio.sleep(0)  # the worker takes a's edit and waits for the bucket
    pacer.submit(1, "b", edits.send("b: queued 4"))
    pacer.submit(1, "c", edits.send("c: queued 5"))
    pacer.submit(1, "b", edits.send("b: queued 3"))  # b moved up again: its older state goes
    pacer.submit(2, "z", edits.send("z: in another channel"))
    await asyncio.sleep(0.01)
    assert edits.sent == ["z: in another channel"]  # channel 2 did not wait for channel 1
    assert pacer.waiting(1) == 2
    edits.gate.set()
    await pacer.idle()
    assert edits.sent == ["z: in another channel", "a: queued 3", "b: queued 3",
                          "c: queued 5"]
    assert pacer.skipped == 1 and pacer.waiting(1) == 0


async def test_a_refused_edit_does_not_stop_the_channel() -> None:
    import discord

    class Response:
        status, reason = 404, "Not Found"

    pacer, edits = ChannelPacer(), Edits()

    async def refused() -> None:
        raise discord.NotFound(Response(), {"code": 10008, "message": "Unknown Message"})

    pacer.submit(1, "gone", refused)
    pacer.submit(1, "next", edits.send("next"))
    await pacer.idle()
    assert edits.sent == ["next"]


async def test_closing_drops_waiting_edits() -> None:
    pacer, edits = ChannelPacer(), Edits()
    pacer.submit(1, "a", edits.send("a", hold=True))
    await asyncio.sleep(0)
    pacer.submit(1, "b", edits.send("b"))
    await pacer.close()
    assert edits.sent == [] and pacer.waiting(1) == 0

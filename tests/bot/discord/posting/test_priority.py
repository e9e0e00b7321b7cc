"""Under a burst, public work waits for every pending private confirmation (but not for
ever)."""

from __future__ import annotations

import asyncio

from bot.discord.posting import priority
from bot.discord.posting.priority import ConfirmationsFirst


async def test_public_work_waits_for_pending_confirmations() -> None:
    gate, order = ConfirmationsFirst(), []
    release = asyncio.Event()

    async def command(name: str) -> None:
        with gate.confirming():
            await release.wait()
            order.append(f"{name} confirmed")
        await gate.public_turn()
        order.append(f"{name} card")

    tasks = [asyncio.create_task(command(n)) for n in ("a", "b")]
    await asyncio.sleep(0)
    assert gate.pending == 2
    release.set()
    await asyncio.gather(*tasks)
    assert order[:2] == ["a confirmed", "b confirmed"]  # no card before both confirmations
    assert sorted(order[2:]) == ["a card", "b card"] and gate.pending == 0


async def test_a_stuck_confirmation_holds_public_work_only_briefly(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(priority, "MAX_WAIT", 0.01)
    gate = ConfirmationsFirst()
    with gate.confirming():
        await gate.public_turn()  # returns after MAX_WAIT although one is pending
        assert gate.pending == 1
    await gate.public_turn()  # none pending: at once

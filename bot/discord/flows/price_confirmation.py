"""The member confirms an expensive job's price before anything is reserved.

A server may set a threshold (`/klingbot settings limits confirm_above`); a job priced above it (the
core's `JobService.quote`, the reserve path without the ledger) is shown privately with Confirm
and Cancel. Nothing is held while the member decides: Confirm hands the request to the core,
which reserves it then as any other (the member's credits may have changed meanwhile, and are
checked then); Cancel, or no answer in time (60 s), ends it with nothing reserved, and the
message says so.

The buttons are an in-memory view, not persistent ones: the offer is short-lived and belongs to
the command that made it, so after a restart there is nothing to confirm. The first press
decides; a second press (a double click) is acknowledged and does nothing, so one offer starts
one job at most.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import discord

from bot.discord.i18n.languages import speaking_to
from bot.discord.i18n.limits import MESSAGE_LIMIT
from bot.discord.i18n.texts import clip, span, text
from bot.discord.services import services_of
from bot.jobs import Job, JobRequest, OfferChanged, PriceNeedsConfirmation, Quote

log = logging.getLogger(__name__)

CONFIRM_SECONDS = 60.0  # how long the member has to confirm a price


class PriceConfirmation(discord.ui.View):
    """Confirm and Cancel under a price; `answer` is the first press (None: none yet)."""

    def __init__(self, requester_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.requester_id = requester_id
        self.answer: bool | None = None
        confirm: discord.ui.Button[Any] = discord.ui.Button(
            label=text("button.confirm"), style=discord.ButtonStyle.success)
        cancel: discord.ui.Button[Any] = discord.ui.Button(
            label=text("button.confirm_cancel"), style=discord.ButtonStyle.secondary)
        confirm.callback = self._confirm  # type: ignore[method-assign]
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Only the requester's presses count."""
        # The message is private to the requester; this keeps it so whatever Discord shows.
        return interaction.user.id == self.requester_id

    def close(self) -> None:
        """No answer counts any more (the time is up): a late press does nothing."""
        if self.answer is None:
            self.answer = False
        self.stop()

    async def _confirm(self, interaction: discord.Interaction) -> None:
        await self._decide(interaction, True, "ack.confirmed")

    async def _cancel(self, interaction: discord.Interaction) -> None:
        await self._decide(interaction, False, "ack.confirm_cancelled")

    async def _decide(self, interaction: discord.Interaction, confirmed: bool, said: str
                      ) -> None:
        if self.answer is not None:
            # Decided already (a double click, or the time ran out): nothing more happens.
            await _quietly(interaction.response.defer())
            return
        self.answer = confirmed  # set before any await: a second press sees it
        self.stop()
        with speaking_to(interaction):
            await _quietly(interaction.response.edit_message(content=text(said), view=None))


async def _quietly(answer: Any) -> None:
    """Send an answer to a press; the decision stands if Discord refuses it."""
    try:
        await answer
    except discord.HTTPException as exc:
        log.warning("Could not answer a price confirmation press: %s", exc)


async def reserve_confirmed(interaction: discord.Interaction, request: JobRequest,
                            asked: PriceNeedsConfirmation,
                            reserve: Callable[[JobRequest], Awaitable[Job]]) -> Job | None:
    """Offer the price the core `asked` to confirm and, once the member confirms, reserve
    `request` as exactly what was offered (its price and what it runs as). When the server's
    settings changed meanwhile so that the request would run differently, nothing is reserved
    and the new offer is shown, saying so. None: the member did not confirm."""
    changed = asked if isinstance(asked, OfferChanged) else None
    quote = asked.quote
    while True:
        if not await confirm_price(interaction, quote, changed):
            return None
        try:
            return await reserve(confirmed_as(request, quote))
        except OfferChanged as again:
            changed, quote = again, again.quote


def confirmed_as(request: JobRequest, quote: Quote) -> JobRequest:
    """`request` as the member confirmed `quote`: reserved at most at its price, and only if
    it still runs as the offer said."""
    return replace(request, confirmed_cost=quote.cost, confirmed_terms=quote.terms)


def _what_changed(quote: Quote, changed: OfferChanged) -> str:
    """The sentence in front of an offer made again: the price rose, or the request now runs
    as something other than what the member confirmed."""
    if changed.confirmed_cost is not None and quote.cost > changed.confirmed_cost:
        return text("ack.offer_rose", cost=quote.cost, confirmed=changed.confirmed_cost)
    model, _, duration, _ = changed.confirmed
    return text("ack.offer_changed", model=model, duration=duration)


async def confirm_price(interaction: discord.Interaction, quote: Quote,
                        changed: OfferChanged | None = None) -> bool:
    """Show `quote` privately with Confirm and Cancel (the interaction is acknowledged
    already), after what changed since the last offer, if it was made again; True once the
    member confirms. Cancel or no answer in time: False, with the message saying that nothing
    was reserved."""
    timeout = services_of(interaction).confirm_timeout
    view = PriceConfirmation(interaction.user.id, timeout)
    ask = text("ack.confirm_price", cost=quote.cost, model=quote.model, duration=quote.duration,
               threshold=quote.confirm_above, deadline=f"<t:{int(time.time() + timeout)}:R>")
    if changed is not None:
        ask = f"{_what_changed(quote, changed)}\n{ask}"
    message = await interaction.followup.send(
        clip(ask, MESSAGE_LIMIT), view=view, ephemeral=True, wait=True,
        allowed_mentions=discord.AllowedMentions.none())
    await view.wait()
    answered = view.answer is not None
    view.close()
    if answered:
        return bool(view.answer)
    log.info("Price of %s credits not confirmed in time (user %s)", quote.cost,
             interaction.user.id)
    try:
        await message.edit(content=text("ack.confirm_timed_out", span=span(timeout)), view=None)
    except discord.HTTPException as exc:
        log.warning("Could not say that a price confirmation timed out: %s", exc)
    return False

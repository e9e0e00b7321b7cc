"""What the cogs, flows and buttons use of the bot, in one typed value (`Services`).

Built once in `KlingBot.setup_hook`, from the engine and the Discord layer's posters, and handed
to each cog when it is loaded. The pieces discord.py builds from an interaction alone
(persistent buttons, checks, modals) ask `services_of(interaction)`. Each service is named
directly, so no caller reaches through the engine (`engine.jobs.quota`), and a caller's use of
the bot reads from the fields it touches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from bot.clock import Clock
from bot.community.filters import PromptFilters
from bot.community.gifts import Gifts
from bot.community.reports import Reports
from bot.community.rewards import Rewards
from bot.discord.i18n.languages import ServerLanguages
from bot.discord.posting.notifier import DiscordNotifier
from bot.engine import Engine
from bot.jobs.chains import Chains
from bot.jobs.review import Reviews
from bot.jobs.service import JobService
from bot.kling.capabilities import CapabilityTable
from bot.moderation import Moderation
from bot.publishing import Publisher
from bot.quotas import QuotaBook
from bot.references import PendingReferences
from bot.settings_changes import SettingsChanges
from bot.status import EngineStatus
from bot.store import Store


@dataclass(frozen=True)
class Services:
    """The core's services and the Discord layer's posters, as the cogs and buttons use them."""

    jobs: JobService
    quota: QuotaBook
    moderation: Moderation
    settings_changes: SettingsChanges
    filters: PromptFilters
    reviews: Reviews
    reports: Reports
    gifts: Gifts
    rewards: Rewards
    chains: Chains
    publisher: Publisher
    references: PendingReferences
    capabilities: CapabilityTable
    # The few direct reads of the Discord layer: a server's settings, a job, a member's jobs.
    store: Store
    notifier: DiscordNotifier
    languages: ServerLanguages
    clock: Clock
    # /klingbot status: the value /healthz serves, and whether Kling is the simulated one.
    status: Callable[[], Awaitable[EngineStatus]]
    simulated: bool
    # How long a member has to confirm a price above the server's threshold.
    confirm_timeout: float

    @classmethod
    def of(cls, engine: Engine, notifier: DiscordNotifier, languages: ServerLanguages, *,
           confirm_timeout: float) -> Services:
        """The services of an assembled engine and the posters that serve it."""
        return cls(jobs=engine.jobs, quota=engine.jobs.quota, moderation=engine.moderation,
                   settings_changes=engine.settings_changes,
                   filters=engine.filters, reviews=engine.reviews, reports=engine.reports,
                   gifts=engine.gifts, rewards=engine.rewards, chains=engine.chains,
                   publisher=engine.publisher,
                   references=engine.references, capabilities=engine.capabilities,
                   store=engine.store, notifier=notifier, languages=languages,
                   clock=engine.clock, status=engine.status,
                   simulated=engine.simulator is not None, confirm_timeout=confirm_timeout)


class NotSetUp(RuntimeError):
    """An interaction reached a client whose `setup_hook` did not build its services."""


def services_of(interaction: discord.Interaction) -> Services:
    """The services of the client that received `interaction` (its `services` attribute,
    checked to be one, so no cast is needed)."""
    services = getattr(interaction.client, "services", None)
    if not isinstance(services, Services):
        raise NotSetUp("the client has no services")
    return services

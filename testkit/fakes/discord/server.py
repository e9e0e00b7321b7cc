"""`FakeDiscord`: the fake Discord as one object. It builds the parts, hands each the state and
the few collaborators it needs, registers the REST routes, serves the aiohttp app (gateway,
REST, CDN) on a free local port, and exposes the parts' test API on itself.

Wiring only: behaviour lives in the parts, so a new route goes in its `rest` module, a new
knob in `state.FakeState` (plus a `Forward` line here), a new user action in `driver`.
"""

from __future__ import annotations

import socket
from typing import Any

from aiohttp import web

from testkit.fakes.discord.attachments import Attachments
from testkit.fakes.discord.composer import InteractionComposer
from testkit.fakes.discord.driver import InteractionDriver
from testkit.fakes.discord.events import Events
from testkit.fakes.discord.gateway import Gateway
from testkit.fakes.discord.message_store import MessageStore
from testkit.fakes.discord.models import JSON, MIB, Channel, Guild, SnowflakeFactory, User
from testkit.fakes.discord.permissions import Permissions
from testkit.fakes.discord.records import Interaction, RecordedRequest
from testkit.fakes.discord.rest.channels import ChannelRoutes
from testkit.fakes.discord.rest.commands import CommandRoutes
from testkit.fakes.discord.rest.faults import RestFaults
from testkit.fakes.discord.rest.gateway import GatewayRoutes
from testkit.fakes.discord.rest.guilds import GuildRoutes
from testkit.fakes.discord.rest.interactions import InteractionRoutes
from testkit.fakes.discord.rest.lookup import Lookup
from testkit.fakes.discord.rest.messages import MessageRoutes
from testkit.fakes.discord.rest.ratelimits import RateLimits
from testkit.fakes.discord.rest.router import Router
from testkit.fakes.discord.rest.users import UserRoutes
from testkit.fakes.discord.rest.webhooks import WebhookRoutes
from testkit.fakes.discord.sessions import GatewaySession
from testkit.fakes.discord.state import FakeState
from testkit.fakes.discord.world import WorldBuilder
from testkit.fakes.forward import Forward, forward_method


class FakeDiscord:
    """In-process fake Discord server. See the package docstring for the big picture."""

    # Configuration (knobs a test may turn while the fake runs) and records, on the state:
    ids = Forward[SnowflakeFactory]("state")
    application_id = Forward[int]("state")
    bot_user = Forward[User]("state")
    bot_token = Forward[str]("state")
    token_lifetime = Forward[float]("state")
    callback_deadline = Forward[float]("state")
    heartbeat_interval_ms = Forward[int]("state")
    recommended_shards = Forward[int]("state")
    enabled_privileged_intents = Forward[int]("state")
    nonce_window = Forward[float]("state")
    attachment_url_lifetime = Forward[float]("state")
    port = Forward[int]("state")
    base_url = Forward[str]("state")
    api_base = Forward[str]("state")
    gateway_url = Forward[str]("state")
    users = Forward[dict[int, User]]("state")
    guilds = Forward[dict[int, Guild]]("state")
    channels = Forward[dict[int, Channel]]("state")
    messages = Forward[dict[int, JSON]]("state")
    attachment_blobs = Forward[dict[int, bytes]]("state")
    commands = Forward[dict[int | None, list[JSON]]]("state")
    interactions = Forward[dict[int, Interaction]]("state")
    requests = Forward[list[RecordedRequest]]("state")
    unknown_requests = Forward[list[RecordedRequest]]("state")
    sessions = Forward[list[GatewaySession]]("state")
    presence_updates = Forward[list[JSON]]("state")

    # The parts' test API. Waiting and looking (state):
    wait_until = forward_method("state", FakeState.wait_until)
    wait_for_request = forward_method("state", FakeState.wait_for_request)
    wait_for_message = forward_method("state", FakeState.wait_for_message)
    wait_for_response = forward_method("state", FakeState.wait_for_response)
    wait_until_connected = forward_method("state", FakeState.wait_until_connected)
    interaction_responses = forward_method("state", FakeState.interaction_responses)
    messages_in = forward_method("state", FakeState.messages_in)
    interaction_messages = forward_method("state", FakeState.interaction_messages)
    attachment_bytes = forward_method("state", FakeState.attachment_bytes)
    requests_to = forward_method("state", FakeState.requests_to)
    # Setting the scene (world):
    add_guild = forward_method("world", WorldBuilder.add_guild)
    new_guild_id = forward_method("world", WorldBuilder.new_guild_id)
    add_channel = forward_method("world", WorldBuilder.add_channel)
    add_role = forward_method("world", WorldBuilder.add_role)
    add_member = forward_method("world", WorldBuilder.add_member)
    set_role_permissions = forward_method("world", WorldBuilder.set_role_permissions)
    set_bot_permissions = forward_method("world", WorldBuilder.set_bot_permissions)
    set_overwrite = forward_method("world", WorldBuilder.set_overwrite)
    archive_thread = forward_method("world", WorldBuilder.archive_thread)
    open_dm = forward_method("world", WorldBuilder.open_dm)
    close_dms = forward_method("world", WorldBuilder.close_dms)
    dm_messages = forward_method("world", WorldBuilder.dm_messages)
    add_user = forward_method("world", WorldBuilder.add_user)
    set_filesize_limit = forward_method("world", WorldBuilder.set_filesize_limit)
    set_premium_tier = forward_method("world", WorldBuilder.set_premium_tier)
    set_guild_locale = forward_method("world", WorldBuilder.set_guild_locale)
    # Discord's rules (a test may replace one: the part then uses the replacement):
    base_permissions = forward_method("permissions", Permissions.base_permissions)
    channel_permissions = forward_method("permissions", Permissions.channel_permissions)
    can_use_command = forward_method("composer", InteractionComposer.can_use_command)
    command_allowed_in = forward_method("composer", InteractionComposer.command_allowed_in)
    # Acting as users (driver), and breaking things (REST faults, gateway):
    slash = forward_method("driver", InteractionDriver.slash)
    context_menu = forward_method("driver", InteractionDriver.context_menu)
    autocomplete = forward_method("driver", InteractionDriver.autocomplete)
    click = forward_method("driver", InteractionDriver.click)
    submit_modal = forward_method("driver", InteractionDriver.submit_modal)
    post_user_message = forward_method("driver", InteractionDriver.post_user_message)
    forward_message = forward_method("driver", InteractionDriver.forward_message)
    add_reaction = forward_method("driver", InteractionDriver.add_reaction)
    remove_reaction = forward_method("driver", InteractionDriver.remove_reaction)
    fail_next = forward_method("faults", RestFaults.fail_next)
    hold_response = forward_method("faults", RestFaults.hold_response)
    send_reconnect = forward_method("gateway", Gateway.send_reconnect)
    drop_connections = forward_method("gateway", Gateway.drop_connections)

    def __init__(
        self,
        *,
        application_id: int | None = None,
        bot_user_id: int | None = None,
        bot_token: str = "fake-bot-token",
        bot_name: str = "klingcord",
        default_guild: bool = True,
        token_lifetime: float = 15 * 60,
        callback_deadline: float = 3.0,
        heartbeat_interval_ms: int = 41250,
        shards: int = 1,
        enabled_privileged_intents: int = 0,
        profile: str = "default",
    ) -> None:
        self.state = state = FakeState(
            application_id=application_id,
            bot_user_id=bot_user_id,
            bot_token=bot_token,
            bot_name=bot_name,
            token_lifetime=token_lifetime,
            callback_deadline=callback_deadline,
            heartbeat_interval_ms=heartbeat_interval_ms,
            shards=shards,
            enabled_privileged_intents=enabled_privileged_intents,
        )
        if profile not in ("default", "strict"):
            raise ValueError(f"unknown profile {profile!r}: 'default' or 'strict'")
        state.strict.enabled = profile == "strict"
        self.strict = state.strict
        self._compose(state)
        self._runner: web.AppRunner | None = None

        self.guild_id = 0
        self.channel_id = 0
        if default_guild:
            guild = state.new_guild(None, "Test Guild", owner_id=None, premium_tier=0,
                                    filesize_limit=None, channels=("general",), locale="en-US")
            self.guild_id = guild.id
            self.channel_id = next(iter(guild.channels))

    def _compose(self, state: FakeState) -> None:
        """Make the parts, each given the state and the collaborators it needs."""
        events = Events(state)
        self.permissions = permissions = Permissions(state)
        self.attachments = attachments = Attachments(state)
        store = MessageStore(state, permissions, attachments, events)
        self.gateway = Gateway(state, events)
        self.world = WorldBuilder(state, events)
        self.faults = RestFaults(state)
        # Discord's rate limits: off unless a test or the benchmark turns them on
        # (`fake.rate_limits.enabled = True`).
        self.rate_limits = RateLimits()
        self.router = Router(state, self.faults, self.rate_limits)
        self.composer = InteractionComposer(state, permissions, attachments)
        self.driver = InteractionDriver(state, permissions, self.composer, self.gateway, store,
                                        attachments, events)
        lookup = Lookup(state, permissions)
        for routes in (GatewayRoutes(state), UserRoutes(state), CommandRoutes(state, lookup),
                       InteractionRoutes(state, store, events),
                       WebhookRoutes(state, store, events),
                       MessageRoutes(state, lookup, permissions, store, events),
                       ChannelRoutes(state, lookup, permissions, store, events),
                       GuildRoutes(lookup)):
            routes.register(self.router)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind to a free port on 127.0.0.1 and serve."""
        app = web.Application(client_max_size=1024 * MIB)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}",
                           self.attachments.handle_cdn)
        app.router.add_route("*", "/{tail:.*}", self.router.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.state.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        """Close every gateway socket (code 1001) and stop the server."""
        self.faults.release_all()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def patch_discord(self, monkeypatch: Any) -> None:
        """Point the in-process discord.py at this fake (undone by monkeypatch at teardown)."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                            yarl.URL(self.gateway_url))

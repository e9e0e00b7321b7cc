"""A fake Discord (REST API v10 and gateway v10) that the real discord.py client can talk to.

Why a wire-level fake: the bot's behaviour depends on what discord.py does with real payloads
(view routing, modal dispatch, permission caches, 413/429 handling). Mocking discord.py objects
would test our assumptions about discord.py, not the bot. This server speaks the same HTTP and
websocket protocol as Discord, so tests drive the *real* client, in-process or in a subprocess.

Typical use::

    fake = FakeDiscord()
    await fake.start()
    fake.patch_discord(monkeypatch)  # or give fake.api_base / fake.gateway_url to a subprocess
    ... start a bot with fake.bot_token ...
    inter = await fake.slash(fake.guild_id, fake.channel_id, user.id, "video", ["text"], {...})
    await fake.wait_for_request(lambda r: r.path.endswith("/callback"))
    await fake.close()

Payload shapes follow the Discord developer docs and what discord.py 2.7 reads (checked against
its source). Snowflakes are strings on the wire, ints in this package's Python API.

The parts, each given the state and the few collaborators it needs (`server` wires them):

- `models`, `flags`, `records`: the world as data, Discord's bit fields, what was recorded.
- `state`: the world and the fake's memory, plus waiting (``wait_until``) and inspection.
- `permissions`: Discord's permission algorithm. `limits`: Discord's validation (50035...).
- `strict`: the limits Discord applies without publishing them (shared follow-up and thread
  buckets, locked threads, Embed Links, the active-thread cap, command size); off unless a
  fake is made with ``profile="strict"`` or a test calls ``fake.strict.configure(...)``.
- `events`: who hears which gateway event. `gateway`: the websocket protocol.
- `message_store`, `attachments`, `components`: how messages are made, edited and stored.
- `rest`: the REST routes, one module per resource, behind a recording router.
- `world`: setting the scene. `composer` + `driver`: acting as a Discord user (commands,
  clicks, modals, messages, reactions).
- `server`: `FakeDiscord`, the one object tests hold.
"""

from testkit.fakes.discord.attachments import image_link_embed
from testkit.fakes.discord.flags import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGE_REACTIONS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_HAS_THREAD,
    MESSAGE_FLAG_LOADING,
    PRIVILEGED_INTENTS,
    SETTABLE_MESSAGE_FLAGS,
    Permission,
)
from testkit.fakes.discord.limits import (
    EMBED_FIELD_NAME_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_LIMITS,
    EMBED_TOTAL_LIMIT,
)
from testkit.fakes.discord.models import (
    DEFAULT_FILESIZE_LIMIT,
    DISCORD_EPOCH_MS,
    JSON,
    MIB,
    TEXT_LIKE_TYPES,
    THREAD_TYPES,
    TIER_FILESIZE_LIMITS,
    AttachmentSpec,
    Channel,
    Guild,
    Member,
    Overwrite,
    Role,
    SnowflakeFactory,
    User,
    iso_now,
)
from testkit.fakes.discord.records import (
    Interaction,
    InteractionCallback,
    RecordedRequest,
    UploadedFile,
)
from testkit.fakes.discord.rest.faults import ResponseHold
from testkit.fakes.discord.rest.router import Req
from testkit.fakes.discord.server import FakeDiscord
from testkit.fakes.discord.sessions import GatewaySession
from testkit.fakes.discord.state import API_PREFIX
from testkit.fakes.discord.wire import DiscordError, invalid_form, json_response

__all__ = [
    "ALL_PERMISSIONS",
    "API_PREFIX",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DEFAULT_FILESIZE_LIMIT",
    "DISCORD_EPOCH_MS",
    "EMBED_FIELD_NAME_LIMIT",
    "EMBED_FIELD_VALUE_LIMIT",
    "EMBED_LIMITS",
    "EMBED_TOTAL_LIMIT",
    "INTENT_GUILDS",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_GUILD_MESSAGE_REACTIONS",
    "INTENT_MESSAGE_CONTENT",
    "JSON",
    "MESSAGE_FLAG_EPHEMERAL",
    "MESSAGE_FLAG_HAS_THREAD",
    "MESSAGE_FLAG_LOADING",
    "MIB",
    "PRIVILEGED_INTENTS",
    "SETTABLE_MESSAGE_FLAGS",
    "TEXT_LIKE_TYPES",
    "THREAD_TYPES",
    "TIER_FILESIZE_LIMITS",
    "AttachmentSpec",
    "Channel",
    "DiscordError",
    "FakeDiscord",
    "GatewaySession",
    "Guild",
    "Interaction",
    "InteractionCallback",
    "Member",
    "Overwrite",
    "Permission",
    "RecordedRequest",
    "Req",
    "ResponseHold",
    "Role",
    "SnowflakeFactory",
    "UploadedFile",
    "User",
    "image_link_embed",
    "invalid_form",
    "iso_now",
    "json_response",
]

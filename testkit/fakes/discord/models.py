"""The world the fake Discord keeps, as plain data: users, roles, members, channels, guilds and
the snowflakes that name them.

Each object renders its own wire payload (``payload()``) in the shape discord.py 2.7 reads, so
every part that sends one (the gateway, the REST routes, the interaction driver) sends the same.
The rules that act on the objects (permissions, validation, routes) live in the other modules.
Snowflakes are strings on the wire, ints in this package's Python API.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1420070400000
MIB = 1024 * 1024
DEFAULT_FILESIZE_LIMIT = 10 * MIB
# Upload limit per boost tier, as Discord enforces it (discord.py's Guild.filesize_limit agrees).
TIER_FILESIZE_LIMITS = {0: 10 * MIB, 1: 10 * MIB, 2: 50 * MIB, 3: 100 * MIB}

THREAD_TYPES = (10, 11, 12)
TEXT_LIKE_TYPES = (0, 1, 2, 5, 10, 11, 12, 13)  # 1: a DM


def iso_now() -> str:
    """Discord-style ISO 8601 timestamp with explicit UTC offset."""
    return dt.datetime.now(dt.UTC).isoformat()


class SnowflakeFactory:
    """Makes snowflakes whose timestamp part strictly increases.

    Strictly increasing milliseconds means consecutive guild ids land on alternating shards
    ((id >> 22) % shard_count), and discord.py's snowflake_time() stays near "now".
    """

    def __init__(self) -> None:
        self._last_ms = 0
        self._increment = 0

    def next(self) -> int:
        """A new snowflake, larger than every one made before."""
        ms = max(int(time.time() * 1000), self._last_ms + 1)
        self._last_ms = ms
        self._increment = (self._increment + 1) % 4096
        return ((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | self._increment


@dataclass
class User:
    """A Discord user (members, moderators, the bot itself)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None
    # The language of the person's Discord client: every interaction of theirs carries it
    # (`locale`). Not part of the user object others see, so not in the payload.
    locale: str = "en-US"
    # "Allow direct messages from server members" (the person's privacy setting): when off,
    # the bot's DM to them is answered 403 50007, as Discord answers it.
    dms_open: bool = True

    def payload(self) -> JSON:
        """The user object everyone sees (no locale, no DM setting)."""
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }


@dataclass
class Role:
    """A guild role; `bot_id` marks the bot's managed role."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False
    bot_id: int | None = None
    mentionable: bool = False

    def payload(self) -> JSON:
        """The role object, with the `tags` that mark a bot's managed role."""
        out: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(int(self.permissions)),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            out["tags"] = {"bot_id": str(self.bot_id)}
        return out


@dataclass
class Member:
    """A user in one guild: their roles there, nickname and join time."""

    user: User
    guild_id: int
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def locale(self) -> str:
        """The member's client language (the user's own: the same in every server)."""
        return self.user.locale

    @locale.setter
    def locale(self, value: str) -> None:
        self.user.locale = value

    def payload(self, *, with_user: bool = True) -> JSON:
        """The member object; `with_user=False` where Discord sends the user beside it (a message's
        author)."""
        out: JSON = {
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            out["user"] = self.user.payload()
        return out


@dataclass
class Overwrite:
    """A channel's permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int  # 0 role, 1 member
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        """The overwrite object, bit sets as strings as Discord sends them."""
        return {
            "id": str(self.id),
            "type": self.type,
            "allow": str(int(self.allow)),
            "deny": str(int(self.deny)),
        }


@dataclass
class Channel:
    """A guild channel, a thread or a DM channel; the fields a type does not use keep defaults."""

    id: int
    guild_id: int | None
    name: str
    type: int = 0
    position: int = 0
    parent_id: int | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    topic: str | None = None
    last_message_id: int | None = None
    # thread-only
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    auto_archive_duration: int = 1440
    created_at: str = field(default_factory=iso_now)
    message_count: int = 0
    # DM-only: the user on the other side of the bot's DM channel
    recipient_id: int | None = None

    @property
    def is_thread(self) -> bool:
        """Whether it is a thread (announcement, public or private)."""
        return self.type in THREAD_TYPES

    def payload(self) -> JSON:
        """The channel object of its type: thread metadata for a thread, overwrites for the rest."""
        last = str(self.last_message_id) if self.last_message_id else None
        out: JSON = {
            "id": str(self.id),
            "type": self.type,
            "name": self.name,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "last_message_id": last,
            "rate_limit_per_user": 0,
            "flags": 0,
        }
        if self.guild_id is not None:
            out["guild_id"] = str(self.guild_id)
        if self.is_thread:
            out.update(
                owner_id=str(self.owner_id),
                member_count=1,
                message_count=self.message_count,
                total_message_sent=self.message_count,
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.created_at,
                    "locked": self.locked,
                    "create_timestamp": self.created_at,
                    **({"invitable": True} if self.type == 12 else {}),
                },
            )
        else:
            out.update(
                position=self.position,
                permission_overwrites=[o.payload() for o in self.overwrites.values()],
                topic=self.topic,
                nsfw=False,
                default_auto_archive_duration=1440,
            )
        return out


@dataclass
class Guild:
    """A guild and everything in it; its upload limit follows its boost tier unless a test sets
    one."""

    id: int
    name: str
    owner_id: int
    premium_tier: int = 0
    explicit_filesize_limit: int | None = None
    preferred_locale: str = "en-US"
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    bot_role_id: int | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def filesize_limit(self) -> int:
        """What the fake enforces: explicit override, else the boost-tier table."""
        if self.explicit_filesize_limit is not None:
            return self.explicit_filesize_limit
        return TIER_FILESIZE_LIMITS.get(self.premium_tier, DEFAULT_FILESIZE_LIMIT)

    def base_payload(self) -> JSON:
        """The REST guild object (``GET /guilds/{id}``)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": self.premium_tier,
            "premium_subscription_count": {0: 0, 1: 2, 2: 7, 3: 14}.get(self.premium_tier, 0),
            "preferred_locale": self.preferred_locale,
            "public_updates_channel_id": None,
            "max_video_channel_users": 25,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
        }


@dataclass(frozen=True)
class AttachmentSpec:
    """A file a (fake) user attaches to a slash-command option or a message."""

    filename: str
    data: bytes | None = None
    size: int | None = None
    content_type: str | None = None
    width: int | None = None
    height: int | None = None

    def content(self) -> bytes:
        """The file's bytes: the given data, else `size` zero bytes (tests that only care about
        size)."""
        if self.data is not None:
            return self.data
        return bytes(self.size or 0)


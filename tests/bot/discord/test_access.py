"""The access rules of the Discord layer (`bot.discord.access`), without a gateway: who is a
moderator, who may press a job's buttons, and the staff check with its refusals."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace
from typing import Any

import pytest
from discord import app_commands

from bot.discord.access import (
    StaffOnly,
    is_moderator,
    is_staff,
    may_extend,
    may_press_job_buttons,
    moderator_only,
)
from bot.discord.errors import describe_command_error
from bot.discord.i18n.texts import text
from bot.discord.services import Services
from bot.guild_settings import GuildSettings
from bot.store import Job
from tests.builders import job

GUILD = 10
ALICE, BOB, MOD = 1, 2, 3
MOD_ROLE = 99


class SettingsStore:
    """The one store call the rules make: a server's settings rows."""

    def __init__(self, rows: dict[str, Any] | None = None, *, broken: bool = False) -> None:
        self.rows = rows or {}
        self.broken = broken

    async def guild_settings(self, guild_id: int) -> dict[str, Any]:
        if self.broken:
            raise ConnectionError("database gone")
        return dict(self.rows)


def services_with(store: SettingsStore) -> Services:
    """The bot's services holding only a store: the access rules use nothing else."""
    return Services(**{**{field.name: None for field in fields(Services)}, "store": store})


def interaction(user_id: int, *, guild_id: int | None = GUILD, manage_guild: bool = False,
                roles: tuple[int, ...] = (), store: SettingsStore | None = None) -> Any:
    user = SimpleNamespace(id=user_id, roles=[SimpleNamespace(id=r) for r in roles])
    client = SimpleNamespace(services=services_with(store or SettingsStore()))
    return SimpleNamespace(guild_id=guild_id, user=user, client=client,
                           permissions=SimpleNamespace(manage_guild=manage_guild),
                           command=SimpleNamespace(name="show"))


def alices_job() -> Job:
    return job("a" * 20, GUILD, ALICE, 0.0)


def staff_check() -> Any:
    """The predicate `moderator_only()` adds to a command."""
    def command() -> None: ...
    decorated = moderator_only()(command)
    [predicate] = decorated.__discord_app_commands_checks__  # type: ignore[attr-defined]
    return predicate


def test_a_moderator_has_manage_server_or_the_servers_moderator_role() -> None:
    named = GuildSettings(moderator_role_id=MOD_ROLE)
    assert is_moderator(True, [], GuildSettings())
    assert is_moderator(False, [5, MOD_ROLE], named)
    assert not is_moderator(False, [5], named)
    assert not is_moderator(False, [MOD_ROLE], GuildSettings())  # no role named: none counts


def test_a_jobs_buttons_are_the_requesters_and_moderators_unless_the_server_opens_them() -> None:
    source = alices_job()
    closed = GuildSettings()
    opened = GuildSettings(extend_access="anyone")
    assert may_press_job_buttons(source, ALICE, is_moderator=False, settings=closed)
    assert may_press_job_buttons(source, MOD, is_moderator=True, settings=closed)
    assert not may_press_job_buttons(source, BOB, is_moderator=False, settings=closed)
    assert may_press_job_buttons(source, BOB, is_moderator=False, settings=opened)


async def test_the_staff_gate_reads_the_servers_moderator_role() -> None:
    store = SettingsStore({"moderator_role_id": MOD_ROLE})
    assert await is_staff(interaction(MOD, roles=(MOD_ROLE,), store=store))
    assert not await is_staff(interaction(BOB, roles=(7,), store=store))
    assert await is_staff(interaction(BOB, manage_guild=True, store=store))


async def test_nobody_is_a_moderator_outside_a_server() -> None:
    dm = interaction(MOD, guild_id=None, manage_guild=True, store=SettingsStore(broken=True))
    assert not await is_staff(dm)


async def test_may_extend_follows_the_servers_extend_access() -> None:
    source = alices_job()
    closed, opened = SettingsStore(), SettingsStore({"extend_access": "anyone"})
    assert await may_extend(interaction(ALICE, store=closed), source)
    assert not await may_extend(interaction(BOB, store=closed), source)
    assert await may_extend(interaction(BOB, store=opened), source)
    assert await may_extend(interaction(MOD, manage_guild=True, store=closed), source)


async def test_the_staff_check_lets_moderators_through() -> None:
    check = staff_check()
    assert await check(interaction(MOD, manage_guild=True)) is True
    store = SettingsStore({"moderator_role_id": MOD_ROLE})
    assert await check(interaction(MOD, roles=(MOD_ROLE,), store=store)) is True


async def test_the_staff_check_refuses_members_with_the_moderators_only_text() -> None:
    with pytest.raises(StaffOnly) as refused:
        await staff_check()(interaction(BOB))
    assert isinstance(refused.value, app_commands.CheckFailure)  # the tree's handler answers
    assert describe_command_error(refused.value) == text("mod.only")


async def test_the_staff_check_refuses_outside_a_server() -> None:
    with pytest.raises(StaffOnly) as refused:
        await staff_check()(interaction(MOD, guild_id=None, manage_guild=True))
    assert describe_command_error(refused.value) == text("mod.guild_only")


async def test_a_failing_store_in_the_staff_check_is_reported_as_a_bug() -> None:
    """Wrapped like an error in a command's body, so the tree answers with an error id."""
    with pytest.raises(app_commands.CommandInvokeError) as failed:
        await staff_check()(interaction(MOD, store=SettingsStore(broken=True)))
    assert isinstance(failed.value.original, ConnectionError)
    assert describe_command_error(failed.value.original) is None


def test_other_check_failures_keep_their_generic_text() -> None:
    assert describe_command_error(app_commands.CheckFailure()) == text("command.not_allowed")

"""A server's settings changed through the one core call (`bot.settings_changes`): a change is
checked whole before anything is stored, and written with its audit entries in one
transaction. Every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from bot.errors import DomainError
from bot.kling.capabilities import load_capabilities
from bot.policy import SettingsConflict
from bot.settings_changes import SettingsChanges, SettingsRefused
from bot.store import AuditEntry, Store
from tests.support import StoreFactory

GUILD, MOD = 7, 42


@pytest.fixture
async def store(open_store: StoreFactory) -> Store:
    return await open_store()


@pytest.fixture
def changes(store: Store) -> SettingsChanges:
    return SettingsChanges(store, load_capabilities(), clock=lambda: 1000.0)


async def test_a_change_is_written_and_audited_key_by_key(store: Store,
                                                          changes: SettingsChanges) -> None:
    await changes.change(GUILD, MOD, {"give_share": 10})
    done = await changes.change(GUILD, MOD, {"give_share": 40, "reset_hour_utc": 6},
                                reason="new season")
    assert (done.settings.give_share, done.settings.reset_hour_utc) == (40, 6)
    assert await store.guild_settings(GUILD) == {"give_share": 40, "reset_hour_utc": 6}
    assert {(e.action, e.old_value, e.new_value, e.reason) for e in done.entries} == {
        ("set_give_share", "10", "40", "new season"),
        ("set_reset_hour_utc", None, "6", "new season")}
    logged = await store.audit_entries(GUILD, limit=10)
    assert sorted((e.action, e.new_value) for e in logged) == [
        ("set_give_share", "10"), ("set_give_share", "40"), ("set_reset_hour_utc", "6")]


async def test_an_unknown_key_is_refused_and_nothing_is_stored(
        store: Store, changes: SettingsChanges) -> None:
    with pytest.raises(SettingsRefused) as refused:
        await changes.change(GUILD, MOD, {"give_share": 40, "colour": "blue"})
    assert refused.value.code == "settings.unknown_key"
    assert refused.value.params["keys"] == "colour"
    assert await store.guild_settings(GUILD) == {}
    assert await store.audit_entries(GUILD) == []


@pytest.mark.parametrize("value", ["40", True, [40], 4.5])
async def test_a_value_of_the_wrong_type_is_refused(changes: SettingsChanges, store: Store,
                                                    value: object) -> None:
    with pytest.raises(SettingsRefused) as refused:
        await changes.change(GUILD, MOD, {"give_share": value})
    assert refused.value.code == "settings.bad_value"
    assert refused.value.params["setting"] == "give_share"
    assert await store.guild_settings(GUILD) == {}


async def test_a_value_outside_a_settings_choices_is_refused(changes: SettingsChanges) -> None:
    with pytest.raises(SettingsRefused) as refused:
        await changes.change(GUILD, MOD, {"extend_access": "everyone"})
    assert refused.value.code == "settings.bad_value"


async def test_a_default_forbidden_in_the_same_change_is_refused_whole(
        store: Store, changes: SettingsChanges) -> None:
    with pytest.raises(SettingsConflict) as refused:
        await changes.change(GUILD, MOD, {"default_model": "kling-v3",
                                          "forbidden_models": ["kling-v3"]})
    assert refused.value.code == "settings.default_forbidden_model"
    assert await store.guild_settings(GUILD) == {}
    assert await store.audit_entries(GUILD) == []


async def test_review_needs_a_log_channel_set_before_or_in_the_same_change(
        store: Store, changes: SettingsChanges) -> None:
    with pytest.raises(SettingsRefused) as refused:
        await changes.change(GUILD, MOD, {"review": "untrusted"})
    assert refused.value.code == "settings.review_needs_log"
    done = await changes.change(GUILD, MOD, {"review": "untrusted", "log_channel_id": 5})
    assert (done.settings.review, done.settings.log_channel_id) == ("untrusted", 5)


async def test_model_names_are_stored_by_the_tables_name(store: Store,
                                                         changes: SettingsChanges) -> None:
    await changes.change(GUILD, MOD, {"default_model": "kling-video-o1"})
    assert (await store.guild_settings(GUILD))["default_model"] == "kling-o1"
    with pytest.raises(DomainError) as refused:
        await changes.change(GUILD, MOD, {"forbidden_models": ["kling-v9"]})
    assert refused.value.code == "invalid.unknown_model"


async def test_none_clears_a_setting_and_an_empty_change_stores_nothing(
        store: Store, changes: SettingsChanges) -> None:
    await changes.change(GUILD, MOD, {"max_duration": 8})
    done = await changes.change(GUILD, MOD, {"max_duration": None})
    assert done.settings.max_duration is None and await store.guild_settings(GUILD) == {}
    shown = await changes.change(GUILD, MOD, {})
    assert shown.entries == () and len(await store.audit_entries(GUILD)) == 2


async def test_settings_and_audit_entries_are_stored_in_one_transaction(store: Store) -> None:
    """An audit entry the log cannot take (no actor) undoes the settings written before it."""
    good = AuditEntry(GUILD, MOD, "set_give_share", None, None, "40", None, 1000.0)
    bad = AuditEntry(GUILD, None, "set_reset_hour_utc", None, None, "6",  # type: ignore[arg-type]
                     None, 1000.0)
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own error type
        await store.change_guild_settings(GUILD, {"give_share": 40, "reset_hour_utc": 6},
                                          [good, bad])
    assert await store.guild_settings(GUILD) == {}
    assert await store.audit_entries(GUILD) == []
    await store.change_guild_settings(GUILD, {"give_share": 40}, [good])
    assert await store.guild_settings(GUILD) == {"give_share": 40}
    assert [e.action for e in await store.audit_entries(GUILD)] == ["set_give_share"]

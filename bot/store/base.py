"""The whole store: every role of `bot.store.roles`, plus opening and closing it.

Only the engine holds the whole `Store` (it opens it, closes it and hands each piece its
role). SQLite implements it; PostgreSQL implements the same (`bot.store.sql.SqlStore`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from bot.store.roles import (
    ChainStore,
    CommunityStore,
    JobStore,
    LedgerStore,
    ReferenceStore,
    SettingsStore,
)


class Store(JobStore, LedgerStore, SettingsStore, CommunityStore, ReferenceStore, ChainStore,
            ABC):
    """Every role of the store, with its lifecycle; what a backend implements."""

    @abstractmethod
    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    @abstractmethod
    async def close(self) -> None:
        """Release the connections; the store may be opened again afterwards."""

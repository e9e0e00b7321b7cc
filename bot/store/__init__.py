"""Persistence behind one interface (`Store`), offered by role (`JobStore`, `LedgerStore`,
`SettingsStore`, `CommunityStore`, `ReferenceStore`, `ChainStore`); `make_store` picks the
backend from the URL."""

from __future__ import annotations

from bot.store.base import Store
from bot.store.models import (
    IN_FLIGHT,
    UNFINISHED,
    AuditEntry,
    Block,
    FilterRow,
    GiftOutcome,
    InFlight,
    Job,
    JobState,
    JoinedStory,
    LedgerStatus,
    MemberPreferences,
    PendingReference,
    QueuedJob,
    Report,
    Reservation,
)
from bot.store.postgres import POSTGRES_SCHEMES, PostgresStore
from bot.store.roles import (
    ChainStore,
    CommunityStore,
    JobStore,
    LedgerStore,
    ReferenceStore,
    SettingsStore,
)
from bot.store.sqlite import SQLiteStore, sqlite_path

__all__ = ["IN_FLIGHT", "UNFINISHED", "AuditEntry", "Block", "ChainStore", "CommunityStore",
           "FilterRow", "GiftOutcome", "InFlight", "Job", "JobState", "JobStore", "JoinedStory",
           "LedgerStatus", "LedgerStore", "MemberPreferences", "PendingReference", "QueuedJob",
           "ReferenceStore", "Report", "Reservation", "SettingsStore", "Store", "make_store"]


def make_store(database_url: str) -> Store:
    """The store for `database_url` (config has already checked the scheme)."""
    if database_url.startswith("sqlite:///"):
        return SQLiteStore(sqlite_path(database_url))
    if database_url.startswith(POSTGRES_SCHEMES):
        return PostgresStore(database_url)
    raise ValueError("unsupported DATABASE_URL scheme")

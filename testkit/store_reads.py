"""Reads of the store that only tests and benchmarks make: a job's ledger entry, a server's or
a giver's totals, a result's vote count, the schema version.

The bot never asks these, so they are not part of any store role; they run plain SQL on the
store's own read connection, the same SQL on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.store.models import LedgerStatus
from bot.store.sql import SqlStore
from bot.store.sql_base import SERVER_SPENT
from bot.store.sql_community import GIVEN


async def _rows(store: SqlStore, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    async with store._read() as tx:
        return await tx.fetch(sql, params)


async def _scalar(store: SqlStore, sql: str, params: Sequence[Any] = ()) -> int:
    rows = await _rows(store, sql, params)
    value = next(iter(rows[0].values())) if rows else None
    return int(value or 0)


async def ledger_entry(store: SqlStore, job_id: str) -> tuple[int, LedgerStatus] | None:
    """(amount, status) of a job's ledger entry, or None when the job holds none."""
    rows = await _rows(store, "SELECT amount, status FROM ledger WHERE job_id = ?", (job_id,))
    return (int(rows[0]["amount"]), LedgerStatus(rows[0]["status"])) if rows else None


async def server_spent(store: SqlStore, guild_id: int, since: float) -> int:
    """Credits held or committed in the server since `since` (grants excluded)."""
    return await _scalar(store, f"SELECT ({SERVER_SPENT}) AS s", (guild_id, since))


async def credits_given(store: SqlStore, guild_id: int, user_id: int, since: float) -> int:
    """Credits the member gave away since `since`."""
    return await _scalar(store, f"SELECT ({GIVEN}) AS s", (guild_id, user_id, since))


async def reaction_votes(store: SqlStore, job_id: str) -> int:
    """How many distinct members' reactions count for the result of `job_id`."""
    return await _scalar(store, "SELECT COUNT(*) AS n FROM reaction_votes WHERE job_id = ?",
                         (job_id,))


async def schema_version(store: SqlStore) -> int:
    """The schema version the store's migrations brought it to."""
    return await _scalar(store, "SELECT MAX(version) AS v FROM schema_version")

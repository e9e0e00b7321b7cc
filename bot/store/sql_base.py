"""What every query module of the SQL store stands on: the connection primitives a backend
supplies (a transaction, a read connection, a lock on a member's spending) and the few helpers
and SQL fragments the queries share. Kept apart so the query modules (`sql`, `sql_quotas`) can
grow by topic without importing each other."""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.store.base import Store
from bot.store.guild_cache import GuildCache
from bot.store.models import Job, JobState

# Job columns kept as TEXT JSON beside request_json.
JSON_COLUMNS = ("error_params", "notes")
SPENDING = "status IN ('held', 'committed')"
# Credits a member, and a whole server (grants excluded), spent since a time: scalar subqueries
# with the parameters (guild, user, since) and (guild, since).
MEMBER_SPENT = (f"SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE guild_id = ? "
                f"AND user_id = ? AND created_at >= ? AND {SPENDING}")
SERVER_SPENT = (f"SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE guild_id = ? "
                f"AND kind = 'job' AND created_at >= ? AND {SPENDING}")


class Tx(Protocol):
    """A connection inside (or outside) a transaction."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query; its rows as dicts keyed by column name."""


def marks(values: Sequence[Any]) -> str:
    """`?, ?, ?` for an IN list of `values`."""
    return ", ".join("?" for _ in values)


def row_to_job(row: dict[str, Any]) -> Job:
    """A job as the store keeps it, read back from its row."""
    data = dict(row)
    data["request"] = json.loads(data.pop("request_json"))
    for name in JSON_COLUMNS:
        if data.get(name) is not None:
            data[name] = json.loads(data[name])
    data["state"] = JobState(data["state"])
    data["spoiler"] = bool(data.get("spoiler"))  # SQLite answers 0/1
    return Job(**data)



class SqlPrimitives(Store):
    """The primitives a backend provides (`_tx`, `_read`, `_lock_spender`, and a
    `guild_cache`) and the spend queries both the reservation and the ledger views need."""

    # Each server's settings, prompt filters and role limits, for a few seconds
    # (`bot.store.guild_cache`); the writes of those rows below forget the server's.
    guild_cache: GuildCache

    @abstractmethod
    def _tx(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction, committed on success and rolled back on error."""

    @abstractmethod
    def _read(self) -> AbstractAsyncContextManager[Tx]:
        """A connection for reads outside any transaction."""

    @abstractmethod
    async def _lock_spender(self, tx: Tx, guild_id: int, user_id: int) -> None:
        """Serialise reservations of one member and one server inside `tx`."""

    @staticmethod
    async def _scalar(tx: Tx, sql: str, params: Sequence[Any]) -> int:
        rows = await tx.fetch(sql, params)
        value = next(iter(rows[0].values())) if rows else None
        return int(value or 0)

    @classmethod
    async def _member_spent(cls, tx: Tx, guild_id: int, user_id: int, since: float) -> int:
        return await cls._scalar(tx, f"SELECT ({MEMBER_SPENT}) AS s", (guild_id, user_id, since))

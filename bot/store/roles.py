"""The store offered by role: each piece of the core names the part of the store it uses.

One SQL class (`bot.store.sql.SqlStore`, run by SQLite or PostgreSQL) implements every role;
`Store` (bot.store.base) is all of them plus opening and closing. A piece that takes
`SettingsStore` cannot touch a job or the ledger, and mypy proves it, so a reader sees from a
constructor what a piece may change. A piece that needs two roles says so with a Protocol that
joins them, next to the piece.

Every state change of a job is a compare-and-set (`transition`): it names the states it expects
the job to be in and does nothing when the job has moved on. That is what makes duplicate
callbacks, a callback racing the poller and several processes deliver exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.store.models import (
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


class JobStore(Protocol):
    """The jobs: reading them, moving them through their states, and the claims and leases
    that keep two processes from doing the same job's work."""

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, or None."""

    async def get_job_by_token(self, token: str) -> Job | None:
        """The job whose callback carries `token` (the callback URL names no job id), or None."""

    async def job_by_result_message(self, message_id: int) -> Job | None:
        """The job whose result was posted as `message_id` (reaction rewards)."""

    async def transition(self, job_id: str, expected: Iterable[JobState], new: JobState, *,
                         ledger: LedgerStatus | None = None, **fields: Any) -> Job | None:
        """Move the job to `new` if it is in one of `expected`, set `fields`, and (in the same
        transaction) set its ledger entry to `ledger`. Returns the updated job, or None if the
        job was not in an expected state (someone else got there first)."""

    async def update(self, job_id: str, expected: Iterable[JobState], **fields: Any
                     ) -> Job | None:
        """Set fields without a state change, only while the job is in `expected`."""

    async def claim_for_submit(self, job_id: str, now: float, owner: str) -> Job | None:
        """QUEUED -> RESERVED with `submit_started_at` set, claimed by process `owner`. From
        here on the API may know the task, so it is never created again."""

    async def claim_for_delivery(self, job_id: str, now: float, until: float, owner: str
                                 ) -> Job | None:
        """Lease a SUCCEEDED job for delivery until `until`, unless someone holds the lease.
        The first claim sets `delivery_started_at` to `now`; later claims keep it, so a claim
        that finds it earlier than `now` knows an earlier delivery started (and may have
        posted). Claiming is not a failure: `delivery_attempts` is left alone."""

    async def renew_delivery_lease(self, job_id: str, held_until: float, until: float
                                   ) -> bool:
        """Extend a running delivery's lease from `held_until` (the lease it holds) to `until`.
        False when the lease is no longer the one it holds (another claim took the job, or
        the job moved on): the delivery has lost its claim."""

    async def release_delivery_leases(self, owner: str | None) -> int:
        """Forget the delivery leases `owner` holds (every lease when None): a restarted
        process takes back its own at once instead of waiting for them to expire."""

    async def settle_thread(self, job_id: str, lease: float, thread_id: int | None) -> bool:
        """Store the job's thread (None: it has none; results go to its channel) and end the
        thread's lease, if `lease` still holds; a delivery put off until that lease's end is
        due at once. False when it does not hold: a delivery gave up waiting, or a later start
        took over, and what that decided stands."""

    async def renew_thread_lease(self, job_id: str, held: float, until: float) -> bool:
        """Move the thread's lease from `held` to `until` (a thread started again after a
        crash); False when `held` is no longer the lease."""

    async def postpone_delivery(self, job_id: str, now: float, until: float) -> bool:
        """Put a SUCCEEDED job's delivery off until `until` (its thread's lease), unless a
        delivery holds it (its lease runs past `now`): it waits for its thread through the
        store, not in memory. False when it is held or put off already."""

    async def jobs_in_state(self, states: Iterable[JobState], *, limit: int = 1000
                            ) -> list[Job]:
        """Jobs in any of `states`, oldest first, at most `limit` (recovery, dispatch and
        sweeps)."""

    async def queue_line_lengths(self) -> list[int]:
        """How many QUEUED jobs each member with any has (one number per member, in no
        order): how deep a dispatch pass must read their lines."""

    async def queue_lines(self, depth: int, *, near: int) -> list[QueuedJob]:
        """The QUEUED jobs a dispatch pass reads, oldest first: each member's `depth` oldest,
        any other with no place stored yet (read once, to be told its place), and any other
        whose stored place is `near` or nearer (it is further back now and must be told). A
        pass then reads in proportion to the members waiting, not to the queue's length."""

    async def place_in_queue(self, places: dict[str, int]) -> list[Job]:
        """Store each job's place in the queue (job id -> place), on jobs still QUEUED only;
        the jobs now told a new place, for their cards. Done in bulk: a long backlog's
        first pass tells thousands of jobs the same place."""

    async def claim_due_for_poll(self, now: float, until: float, *, limit: int) -> list[Job]:
        """Take up to `limit` SUBMITTED jobs due for a poll and push their next poll to `until`
        in one statement, skipping rows another process holds: no two processes poll the same
        job in the same round."""

    def dispatch_guard(self) -> AbstractAsyncContextManager[bool]:
        """Held around a dispatch pass so only one process dispatches at a time; yields False
        when another process holds it (skip this pass)."""

    async def claim_late_for_poll(self, now: float, until: float, *, codes: Iterable[str],
                                  finished_since: float, limit: int) -> list[Job]:
        """Like `claim_due_for_poll`, for FAILED jobs that Kling may still finish: failed with
        one of `codes` at or after `finished_since`, with a task id and no result yet."""

    async def jobs_overdue(self, now: float, *, limit: int = 500) -> list[Job]:
        """QUEUED jobs past their queue timeout and SUBMITTED jobs past their deadline (both
        kept in `deadline_at`). RESERVED jobs are left to stale-claim recovery."""

    async def jobs_due_for_delivery(self, now: float, *, limit: int = 100) -> list[Job]:
        """SUCCEEDED jobs whose delivery lease or retry time has passed."""

    async def ping(self) -> None:
        """A trivial query, for the health check: raises when the store cannot be read."""

    async def count_by_state(self) -> dict[str, int]:
        """How many jobs are in each state (the start-up log, /klingbot status and, kept for an
        interval, /metrics); states with no job are absent. It reads the whole jobs table."""

    async def member_job_counts(self, guild_id: int, user_id: int) -> dict[str, int]:
        """The member's unfinished jobs by state."""

    async def member_jobs(self, guild_id: int, user_id: int, *, limit: int = 25) -> list[Job]:
        """The member's newest jobs in the server, newest first, whatever their state
        (/video history, /quota show)."""

    async def in_flight(self) -> InFlight:
        """Jobs RESERVED or SUBMITTED, in total, per server and per member (unconfirmed jobs,
        SUBMITTED without a task id, excepted): the fair queue's view."""

    async def last_dispatch_times(self) -> dict[tuple[int, int], float]:
        """When each member with queued jobs last had a job sent to Kling."""


class LedgerStore(Protocol):
    """Credits: reservations, spending, bonus grants and gifts between members."""

    async def reserve_job(self, job: Job, *, limit: int, period_start: float,
                          server_cap: int | None) -> Reservation:
        """In one transaction: refuse a blocked member, or a job that does not fit the member's
        `limit` or the server's `server_cap` for the period; otherwise hold the credits in the
        ledger and insert the job as it is (normally QUEUED)."""

    async def credits_spent(self, guild_id: int, user_id: int, since: float) -> int:
        """Credits held or committed by the member since `since`, less bonus grants."""

    async def add_grant(self, guild_id: int, user_id: int, credits: int, at: float,
                        note: str | None) -> None:
        """One-off bonus credits for the period that contains `at`."""

    async def usage(self, guild_id: int, since: float, until: float, *, limit: int = 20
                    ) -> list[tuple[int, int, int]]:
        """(user_id, credits spent, jobs) in [since, until), biggest spenders first."""

    async def give_credits(self, guild_id: int, giver_id: int, receiver_id: int, credits: int,
                           *, giver_limit: int, share_limit: int, period_start: float,
                           at: float, note: str | None = None) -> GiftOutcome:
        """In one transaction, locked like a reservation: refuse a gift larger than what the
        giver has left (`giver_limit` less their spend) or than their share left
        (`share_limit` less what they gave in the period); otherwise record both sides."""


class SettingsStore(Protocol):
    """What a server and its members chose: settings, limits, blocks and preferences."""

    async def member_limit(self, guild_id: int, user_id: int) -> int | None:
        """The member's own limit, or None when only role limits and the server default apply."""

    async def set_member_limit(self, guild_id: int, user_id: int, credits: int | None
                               ) -> None:
        """Set (or with None, clear) a member's own limit."""

    async def role_limits(self, guild_id: int) -> dict[int, int]:
        """The credit limit of each role that has one (role id to credits)."""

    async def set_role_limit(self, guild_id: int, role_id: int, credits: int | None
                             ) -> None:
        """Set (or with None, clear) a role's limit."""

    async def block(self, guild_id: int, user_id: int) -> Block | None:
        """The member's block, or None when they may make videos."""

    async def set_block(self, guild_id: int, user_id: int, block: Block | None) -> None:
        """Block the member (replacing any earlier block), or with None unblock them."""

    async def guild_settings(self, guild_id: int) -> dict[str, Any]:
        """The server's settings rows. Like `role_limits` and `prompt_filters`, kept in
        memory a few seconds (`bot.store.guild_cache`): a change made through this store is
        seen at once, one made by another process within that TTL."""

    async def set_guild_setting(self, guild_id: int, key: str, value: Any) -> None:
        """Set a setting; a value of None removes it."""

    async def change_guild_settings(self, guild_id: int, changes: dict[str, Any],
                                    entries: Sequence[AuditEntry]) -> None:
        """Set several settings (a value of None removes one) and record `entries` in the
        audit log, in one transaction: a change is never stored without its record, and
        never recorded without being stored."""

    async def member_preferences(self, guild_id: int, user_id: int) -> MemberPreferences:
        """The member's own settings (the defaults when they never set any)."""

    async def set_member_preferences(self, guild_id: int, user_id: int,
                                     preferences: MemberPreferences) -> None:
        """Replace the member's own settings with `preferences`."""


class CommunityStore(Protocol):
    """Community moderation: prompt filters, reports, reaction votes and their rewards, and the
    audit log of moderator actions."""

    async def prompt_filters(self, guild_id: int) -> list[FilterRow]:
        """The server's prompt filter rules, cached like `guild_settings`."""

    async def add_prompt_filter(self, guild_id: int, rule: FilterRow) -> bool:
        """Add a rule; False when the server has one with the same text already."""

    async def remove_prompt_filter(self, guild_id: int, pattern: str) -> FilterRow | None:
        """Remove the rule with this text; the removed rule, or None if there was none."""

    async def add_report(self, report: Report) -> bool:
        """Store a report; False when this member already reported this job."""

    async def has_reported(self, job_id: str, reporter_id: int) -> bool:
        """Whether this member has reported this job already (a member reports a job once)."""

    async def get_report(self, report_id: str) -> Report | None:
        """The report with this id, or None."""

    async def set_report_message(self, report_id: str, message_id: int) -> None:
        """Remember the log channel message that shows the report, so a decision can edit it."""

    async def decide_report(self, report_id: str, status: str, decided_by: int, at: float
                            ) -> Report | None:
        """Close an open report with `status`; None when it was decided already. "removed"
        marks the job removed (`removed_at`, `removed_by`) in the same transaction."""

    async def mark_removed(self, job_id: str, removed_by: int, at: float) -> None:
        """Mark the job removed (once; an earlier removal stands) before its messages are
        deleted, so no path posts it again while a moderator's Remove runs or is retried."""

    async def stories_with_part(self, job_id: str) -> list[JoinedStory]:
        """The posted stories that contain the job: joined under it or under a later part of
        its chain (each part's `parent_job_id` leads back to it)."""

    async def add_reaction_vote(self, job_id: str, user_id: int, at: float) -> bool:
        """Count a member's reaction on a result once; False when it was counted before."""

    async def reward_if_due(self, guild_id: int, user_id: int, job_id: str, *, credits: int,
                            votes_needed: int, max_per_period: int, period_start: float,
                            at: float) -> bool:
        """Pay a result's creator its reaction reward once, when due and under the cap."""

    async def add_audit(self, entry: AuditEntry) -> None:
        """Record one moderator action; `change_guild_settings` records with the change instead."""

    async def audit_entries(self, guild_id: int, target_id: int | None = None, *,
                            limit: int = 10) -> list[AuditEntry]:
        """Newest first; only those about `target_id` when it is given."""


class ReferenceStore(Protocol):
    """A member's pending omni references ("Use as reference")."""

    async def add_references(self, guild_id: int, user_id: int,
                             references: Sequence[PendingReference], *, now: float,
                             limit: int) -> list[PendingReference]:
        """Add to a member's pending references, in order, those not already there, while
        the set holds fewer than `limit` unexpired ones (and drop everyone's expired ones).
        Returns the member's set afterwards, oldest first."""

    async def pending_references(self, guild_id: int, user_id: int, now: float
                                 ) -> list[PendingReference]:
        """A member's unexpired pending references, oldest first."""

    async def clear_references(self, guild_id: int, user_id: int) -> int:
        """Forget a member's pending references; how many there were (expired included)."""


class ChainStore(Protocol):
    """Joined stories: one claim per chain so a story is joined and posted once."""

    async def joined_story(self, job_id: str) -> JoinedStory | None:
        """The story joined under `job_id`, posted or being joined, if any."""

    async def claim_story(self, job_id: str, now: float, until: float,
                          owner: str | None = None) -> bool:
        """Take the right to join the story under `job_id` until `until`, for process
        `owner`: False when it was posted already or another join holds an unexpired claim."""

    async def renew_story_claim(self, job_id: str, now: float, until: float, owner: str
                                ) -> bool:
        """Move the running join's claim on to `until` (its heartbeat): False when `owner`
        no longer holds it (it ran out and was taken over, or the story was posted)."""

    async def release_story_claims(self, owner: str | None) -> int:
        """Release the unposted claims `owner` holds (every one when None): a restarted
        process's joins died with it. How many were released."""

    async def record_story(self, job_id: str, channel_id: int, message_id: int) -> None:
        """The joined story was posted as `message_id` in `channel_id`."""

    async def release_story(self, job_id: str) -> None:
        """A join that failed gives up its claim (nothing was posted)."""

"""The bot's Prometheus metrics (`prometheus-client`), served at `/metrics` by `bot.web`.

One registry for the process, made here so that every piece records into it without being
handed it: the job pieces time a job's life at the moments they already mark in the store
(queue wait at submission, time at Kling when the result is recorded, delivery and end to end
when the result is posted), count outcomes and credits where the ledger moves, and the Kling
client counts its errors by code. The Discord layer records what only it sees (the
acknowledgement's latency, Discord's 429s by route) into the metrics defined here, so the
core never imports discord. Gauges that the store knows (jobs by state, the queue's length)
are set from it at each scrape (`refresh_job_gauges`).

Every name starts with `klingcord_`; times are in seconds, as Prometheus expects.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

# Buckets from a fraction of a second (acks, deliveries) to the hour a job may wait and run.
FAST = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SLOW = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)

ACK_SECONDS = Histogram(
    "klingcord_ack_seconds", "From a command's creation (its snowflake) to the bot's first "
    "answer to it (the deferral)", buckets=FAST, registry=REGISTRY)
QUEUE_WAIT_SECONDS = Histogram(
    "klingcord_queue_wait_seconds", "From a job's reservation to Kling accepting its task",
    buckets=SLOW, registry=REGISTRY)
KLING_SECONDS = Histogram(
    "klingcord_kling_seconds", "From Kling accepting a task to its result being recorded",
    buckets=SLOW, registry=REGISTRY)
DELIVERY_SECONDS = Histogram(
    "klingcord_delivery_seconds", "From a result being recorded to the video posted in Discord",
    buckets=FAST, registry=REGISTRY)
END_TO_END_SECONDS = Histogram(
    "klingcord_end_to_end_seconds", "From a job's reservation to its video posted in Discord",
    buckets=SLOW, registry=REGISTRY)

JOBS_FINISHED = Counter(
    "klingcord_jobs_finished", "Jobs ended, by outcome (delivered, failed, cancelled)",
    ["outcome"], registry=REGISTRY)
CREDITS = Counter(
    "klingcord_credits", "Credits moved in the ledger: held at reservation, spent when the "
    "video is made, refunded when a job fails", ["kind"], registry=REGISTRY)
KLING_ERRORS = Counter(
    "klingcord_kling_errors", "Errors from Kling by its code: API answers (and `unreachable`) "
    "and failed tasks", ["code"], registry=REGISTRY)
DISCORD_RATE_LIMITS = Counter(
    "klingcord_discord_rate_limits", "429 answers from Discord (waited out by discord.py), by "
    "route", ["route"], registry=REGISTRY)

JOBS = Gauge("klingcord_jobs", "Jobs by state, from the store at each scrape", ["state"],
             registry=REGISTRY)
QUEUE_LENGTH = Gauge("klingcord_queue_length", "Jobs waiting for a slot at Kling (queued)",
                     registry=REGISTRY)

# Kling codes are few, but a label value is bounded anyway: an unexpected code is cut short.
CODE_LIMIT = 40


def kling_error(code: str | None) -> None:
    """Count one error from Kling under its code (`unknown` when it gave none), the label kept
    short."""
    KLING_ERRORS.labels(code=(code or "unknown")[:CODE_LIMIT]).inc()


def refresh_job_gauges(counts: Mapping[str, int], states: tuple[str, ...]) -> None:
    """Set the job gauges from the store's counts (every known state, zero included, so a
    state emptied since the last scrape reads 0 rather than its old value)."""
    for state in states:
        JOBS.labels(state=state).set(counts.get(state, 0))
    QUEUE_LENGTH.set(counts.get("queued", 0))


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)

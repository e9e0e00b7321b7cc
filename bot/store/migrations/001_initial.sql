-- Jobs, the credit ledger and per-server settings.
-- Portable SQL, shared by SQLite and PostgreSQL: text ids made by the bot (no serial types),
-- DOUBLE PRECISION seconds since the epoch for time, TEXT JSON.

CREATE TABLE jobs (
    id                TEXT PRIMARY KEY,
    guild_id          BIGINT,
    channel_id        BIGINT NOT NULL,
    user_id           BIGINT NOT NULL,
    state             TEXT NOT NULL,
    action            TEXT NOT NULL,
    model             TEXT NOT NULL,
    mode              TEXT,
    duration          INTEGER NOT NULL,
    prompt            TEXT NOT NULL,
    request_json      TEXT NOT NULL,
    cost              INTEGER NOT NULL,
    callback_token    TEXT NOT NULL UNIQUE,
    parent_job_id     TEXT,
    task_id           TEXT,
    submit_started_at DOUBLE PRECISION,
    next_attempt_at   DOUBLE PRECISION,
    video_id          TEXT,
    video_url         TEXT,
    video_duration    DOUBLE PRECISION,
    error_code        TEXT,
    error_message     TEXT,
    status_message_id BIGINT,
    thread_id         BIGINT,
    result_message_id BIGINT,
    poll_misses       INTEGER NOT NULL DEFAULT 0,
    delivery_attempts INTEGER NOT NULL DEFAULT 0,
    next_poll_at      DOUBLE PRECISION,
    created_at        DOUBLE PRECISION NOT NULL,
    updated_at        DOUBLE PRECISION NOT NULL,
    submitted_at      DOUBLE PRECISION,
    finished_at       DOUBLE PRECISION,
    deadline_at       DOUBLE PRECISION NOT NULL
);

CREATE INDEX jobs_state ON jobs (state, next_poll_at);
CREATE INDEX jobs_task ON jobs (task_id);
CREATE INDEX jobs_user ON jobs (guild_id, user_id, state);

CREATE TABLE ledger (
    id         TEXT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    job_id     TEXT UNIQUE,
    kind       TEXT NOT NULL,
    amount     INTEGER NOT NULL,
    status     TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    note       TEXT
);

CREATE INDEX ledger_member ON ledger (guild_id, user_id, created_at);

CREATE TABLE guild_settings (
    guild_id BIGINT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (guild_id, key)
);

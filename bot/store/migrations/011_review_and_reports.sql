-- Review mode and reports (community moderation).
-- A job held for review is in the state 'review' (credits held, not queued); the log-channel
-- message with its Approve / Reject buttons and the moderator who decided are kept on the job.
-- A report is one member's complaint about one result: one per member per job (UNIQUE).

ALTER TABLE jobs ADD COLUMN review_message_id BIGINT;
ALTER TABLE jobs ADD COLUMN reviewed_by BIGINT;

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    guild_id       BIGINT NOT NULL,
    job_id         TEXT NOT NULL,
    reporter_id    BIGINT NOT NULL,
    requester_id   BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    status         TEXT NOT NULL,
    log_message_id BIGINT,
    decided_by     BIGINT,
    decided_at     DOUBLE PRECISION,
    created_at     DOUBLE PRECISION NOT NULL,
    UNIQUE (job_id, reporter_id)
);

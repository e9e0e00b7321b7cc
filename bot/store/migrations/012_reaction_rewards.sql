-- Reaction rewards (community moderation): who reacted to which result with the server's
-- reward emoji (once per member per job, whatever they remove and add again), and the rewards
-- paid (at most one per job). Gifts and rewards themselves are ledger rows (kinds 'gift_out',
-- 'gift_in', 'reward'), so the ledger stays the one truth about credits.

CREATE TABLE reaction_votes (
    job_id     TEXT NOT NULL,
    user_id    BIGINT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (job_id, user_id)
);

CREATE TABLE reaction_rewards (
    job_id     TEXT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    credits    INTEGER NOT NULL,
    created_at DOUBLE PRECISION NOT NULL
);

CREATE INDEX reaction_rewards_member ON reaction_rewards (guild_id, user_id, created_at);

-- Reactions name the message; this finds its job.
CREATE INDEX jobs_result_message ON jobs (result_message_id);

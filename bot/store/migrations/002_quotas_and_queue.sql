-- Community-moderated quotas (member and role limits, blocks, an audit log) and the fair
-- queue (QUEUED jobs, dispatch times, queue positions, the credits left when asked).

CREATE TABLE member_limits (
    guild_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    credits  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE role_limits (
    guild_id BIGINT NOT NULL,
    role_id  BIGINT NOT NULL,
    credits  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, role_id)
);

CREATE TABLE member_blocks (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    blocked_by BIGINT NOT NULL,
    blocked_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

CREATE TABLE audit_log (
    id         TEXT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL,
    action     TEXT NOT NULL,
    target_id  BIGINT,
    old_value  TEXT,
    new_value  TEXT,
    reason     TEXT,
    created_at DOUBLE PRECISION NOT NULL
);

CREATE INDEX audit_target ON audit_log (guild_id, target_id, created_at);
CREATE INDEX ledger_guild ON ledger (guild_id, created_at);

ALTER TABLE jobs ADD COLUMN dispatched_at DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN queue_position INTEGER;
ALTER TABLE jobs ADD COLUMN credits_left INTEGER;

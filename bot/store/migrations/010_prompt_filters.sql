-- Prompt filters: the words and patterns a server refuses in prompts (community moderation).
-- One row per rule; `is_regex` 1 for an opt-in regular expression, 0 for a plain word.

CREATE TABLE prompt_filters (
    guild_id BIGINT NOT NULL,
    pattern  TEXT NOT NULL,
    is_regex INTEGER NOT NULL,
    added_by BIGINT NOT NULL,
    added_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, pattern)
);

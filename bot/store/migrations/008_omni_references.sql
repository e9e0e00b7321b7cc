-- Issue 12, omni and stories. Portable SQL, as every migration here: the same file runs on
-- SQLite and PostgreSQL.
--
-- `notes`: what the bot did on the member's behalf when it built the request (cited the
-- images in the prompt, filled the shots' lengths), as a TEXT JSON list of {code, params}
-- that the Discord layer words on the card in the reader's language.
--
-- `pending_references`: images a member gathered with the "Use as reference" message menu
-- for their next /video omni, each kept a few minutes (`expires_at`). In the store, not in a
-- process's memory, so the set survives a restart and any process (sharding) sees it.

ALTER TABLE jobs ADD COLUMN notes TEXT;

CREATE TABLE pending_references (
    guild_id   BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    url        TEXT NOT NULL,
    filename   TEXT NOT NULL,
    added_at   DOUBLE PRECISION NOT NULL,
    position   INTEGER NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, user_id, url)
);

CREATE INDEX pending_references_expiry ON pending_references (expires_at);

-- Issue 13, small things members ask for: a job's result can be posted as a spoiler (chosen
-- with the command, kept with the job so a delivery after a restart still hides it), and a
-- member may ask for a direct message when their video is ready (`notify_dm`, in the
-- language they asked in: a DM has no interaction to read a locale from).

ALTER TABLE jobs ADD COLUMN spoiler BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE member_preferences (
    guild_id  BIGINT NOT NULL,
    user_id   BIGINT NOT NULL,
    notify_dm BOOLEAN NOT NULL DEFAULT FALSE,
    language  TEXT,
    PRIMARY KEY (guild_id, user_id)
);

-- /video history and /quota show read a member's newest jobs.
CREATE INDEX jobs_member_created ON jobs (guild_id, user_id, created_at);

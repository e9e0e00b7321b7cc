-- A story joined into one video (the Join the story button), kept under the newest part it was
-- joined from, so that pressing the button again shows the first result instead of making it
-- twice. `claimed_until`: a join running now (a lease, as deliveries have), so two presses or
-- two processes never join and post the same story at once; `message_id` once it is posted.

CREATE TABLE joined_stories (
    job_id        TEXT PRIMARY KEY,
    channel_id    BIGINT,
    message_id    BIGINT,
    claimed_until DOUBLE PRECISION NOT NULL,
    created_at    DOUBLE PRECISION NOT NULL
);

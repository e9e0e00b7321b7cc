-- Facts about a job that decide what may be posted, read by every path that posts or links it:
-- `removed_at`/`removed_by` (a moderator removed its result after a report: it is never posted
-- again, by any path) and `result_channel_id` (where the result message really is: the thread,
-- or the channel when the thread was gone at delivery).

ALTER TABLE jobs ADD COLUMN removed_at DOUBLE PRECISION;
ALTER TABLE jobs ADD COLUMN removed_by BIGINT;
ALTER TABLE jobs ADD COLUMN result_channel_id BIGINT;

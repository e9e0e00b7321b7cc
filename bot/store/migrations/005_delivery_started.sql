-- When a job's delivery was first claimed. A delivery claimed again while it is set was
-- interrupted (a crash, a lost claim) or failed after Discord may have taken the message, so
-- the bot looks for the result it may already have posted before posting it again.

ALTER TABLE jobs ADD COLUMN delivery_started_at DOUBLE PRECISION;

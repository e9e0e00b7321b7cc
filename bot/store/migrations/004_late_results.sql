-- When a result arrived for a job that had already been stopped and refunded (at its deadline):
-- the video is still delivered, marked late and free. NULL for every other job.

ALTER TABLE jobs ADD COLUMN late_at DOUBLE PRECISION;

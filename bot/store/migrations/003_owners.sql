-- Which bot process holds a job's submit or delivery claim, so a restarted process takes back
-- its own claims at once and leaves other live processes' claims alone.

ALTER TABLE jobs ADD COLUMN owner TEXT;

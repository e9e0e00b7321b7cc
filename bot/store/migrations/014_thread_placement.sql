-- Where a job's thread stands while it is being started: the lease of the thread's start (a
-- time; NULL when the thread is known, or known to be none). A delivery that finds a live
-- lease comes back shortly instead of waiting in memory, one that finds it run out posts in
-- the channel, and any process reads the same: a job's placement is never held only by the
-- process that showed its card.

ALTER TABLE jobs ADD COLUMN thread_pending_until DOUBLE PRECISION;

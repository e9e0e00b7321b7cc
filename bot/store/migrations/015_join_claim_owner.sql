-- Which process holds a joined story's claim (its INSTANCE_ID), as delivery leases record
-- theirs: a restarted process releases the claims it held when it was killed, instead of
-- leaving the story "being joined" until the claim runs out.

ALTER TABLE joined_stories ADD COLUMN owner TEXT;

-- How a job ended, as data the Discord layer words at display time (in the reader's language):
-- the key of the sentence the requester is told and its parameters (TEXT JSON, as
-- request_json). `error_code` keeps its meaning (Kling's code or the bot's: deadline,
-- queue_timeout, ...); `error_message` stays for rows written before, which hold the sentence.

ALTER TABLE jobs ADD COLUMN error_key TEXT;
ALTER TABLE jobs ADD COLUMN error_params TEXT;

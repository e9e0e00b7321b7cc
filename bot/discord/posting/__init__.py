"""What the bot posts with its own token: job cards, results, failure notices, direct
messages and the log channel's posts, paced to Discord's buckets."""

-- Sportello store, version 11: what the server trusts a desk with.
--
-- A restore: the numbers a restored server jumped over in a day's
-- numbering (never given, so they do not count against the daily cap).
ALTER TABLE queue_number ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;

-- The desks enabled for the social desk: only they get its data.
ALTER TABLE sync_desk ADD COLUMN social INTEGER NOT NULL DEFAULT 0;

-- The record views reach the server with sync: the desk where each one
-- happened ('' for a view made on this file itself).
ALTER TABLE access_log ADD COLUMN desk TEXT NOT NULL DEFAULT '';
ALTER TABLE social_access_log ADD COLUMN desk TEXT NOT NULL DEFAULT '';
CREATE INDEX access_log_operator ON access_log(operator, at);

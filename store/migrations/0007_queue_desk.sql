-- Clerk pauses and back-office time at a counter: a state with its start
-- and end, shown to the supervisor's view of the office. One open pause per
-- counter and day; a pause left open at midnight stays with its day.

CREATE TABLE queue_counter_pause (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    counter    TEXT NOT NULL REFERENCES queue_counter(code) ON DELETE CASCADE,
    day        TEXT NOT NULL,                -- civil date in Europe/Rome
    kind       TEXT NOT NULL CHECK (kind IN ('pause', 'back_office')),
    clerk      TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX queue_counter_pause_open ON queue_counter_pause(counter, day) WHERE ended_at IS NULL;
CREATE INDEX queue_counter_pause_day ON queue_counter_pause(day, counter);

-- The queue's set-up edited by a supervisor: the range of each service's
-- daily numbers, and the office's queue settings (calling policy, service-
-- level threshold, board chime) in one row.

ALTER TABLE queue_service ADD COLUMN first_number INTEGER NOT NULL DEFAULT 1;
ALTER TABLE queue_service ADD COLUMN last_number INTEGER NOT NULL DEFAULT 999;

CREATE TABLE queue_settings (
    id                         INTEGER PRIMARY KEY CHECK (id = 1),
    uid                        TEXT NOT NULL UNIQUE,
    priority_run               INTEGER NOT NULL,   -- K: priority calls in a row at most, 0 no limit
    max_wait_minutes           INTEGER NOT NULL,   -- 0: no maximum wait rule
    appointment_window_minutes INTEGER NOT NULL,
    within_minutes             INTEGER NOT NULL,   -- the KPI threshold, 20 by default
    chime                      INTEGER NOT NULL,
    version                    INTEGER NOT NULL DEFAULT 1
);
INSERT INTO queue_settings(id, uid, priority_run, max_wait_minutes, appointment_window_minutes, within_minutes, chime)
VALUES (1, 'queue-settings', 2, 45, 10, 20, 1);

-- Appointments: booked slots per service, checked in at the kiosk with a code.

-- Opening hours of a service per weekday (1 = Monday ... 7 = Sunday);
-- slots are cut from these ranges.
CREATE TABLE queue_service_hours (
    service  TEXT NOT NULL REFERENCES queue_service(code) ON DELETE CASCADE,
    weekday  INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens    TEXT NOT NULL,                  -- "08:30"
    closes   TEXT NOT NULL,                  -- "12:30"
    PRIMARY KEY (service, weekday, opens)
) WITHOUT ROWID;

ALTER TABLE queue_service ADD COLUMN slot_minutes INTEGER NOT NULL DEFAULT 15;

CREATE TABLE queue_appointment (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    code        TEXT NOT NULL UNIQUE,        -- booking code, 6 chars without 0/O/1/I
    service     TEXT NOT NULL REFERENCES queue_service(code),
    day         TEXT NOT NULL,               -- civil date in Europe/Rome
    slot        TEXT NOT NULL,               -- "09:15"
    minutes     INTEGER NOT NULL,
    person      TEXT NOT NULL,               -- name or codice fiscale
    state       TEXT NOT NULL DEFAULT 'booked',  -- booked, cancelled, checked_in
    ticket_id   INTEGER REFERENCES queue_ticket(id),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1
);
-- One live booking per service slot.
CREATE UNIQUE INDEX queue_appointment_slot ON queue_appointment(service, day, slot)
    WHERE state <> 'cancelled';

-- The services already set up open Monday to Friday, 08:30-12:30.
INSERT INTO queue_service_hours(service, weekday, opens, closes)
SELECT s.code, w.d, '08:30', '12:30' FROM queue_service s,
    (SELECT 1 AS d UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) w;

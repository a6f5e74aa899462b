-- Sportello store: the office opened to citizens at home. Bookings made on
-- the portal, tickets taken from the phone (state 'remote' until the person
-- checks in), codes that prove an email or a mobile number, the estimate
-- each ticket was given (for its error), and the rules of each service.

-- The office's online rules (one row).
CREATE TABLE queue_online_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    days_ahead   INTEGER NOT NULL,
    near_ahead   INTEGER NOT NULL,
    hold_minutes INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO queue_online_settings(id, days_ahead, near_ahead, hold_minutes) VALUES (1, 30, 3, 30);

-- What a service offers online; a service without a row offers nothing.
CREATE TABLE queue_online_service (
    service                 TEXT PRIMARY KEY REFERENCES queue_service(code) ON DELETE CASCADE,
    bookable                INTEGER NOT NULL DEFAULT 0,
    guests                  INTEGER NOT NULL DEFAULT 0,
    booking_limit           INTEGER NOT NULL DEFAULT 1,
    remote                  INTEGER NOT NULL DEFAULT 0,
    remote_max_wait_minutes INTEGER NOT NULL DEFAULT 60,
    remote_max_waiting      INTEGER NOT NULL DEFAULT 20,
    bring                   TEXT NOT NULL DEFAULT '',
    version                 INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;

-- A booking made online: found by the hash of its token (the link of the
-- confirmation that cancels or moves it); person_key is the codice fiscale
-- or the proved contact, for the limit per person.
CREATE TABLE queue_booking (
    appointment_id INTEGER PRIMARY KEY REFERENCES queue_appointment(id),
    token_hash     TEXT NOT NULL UNIQUE,
    person_key     TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    mobile         TEXT NOT NULL DEFAULT '',
    lang           TEXT NOT NULL DEFAULT 'it',
    reminded_at    TEXT
);
CREATE INDEX queue_booking_person ON queue_booking(person_key);

-- A ticket taken from home: its check-in code, the hash of its token (the
-- ticket page's link), whom it belongs to (one a service a day) and whether
-- its holder asked to be told when the turn is near.
CREATE TABLE queue_remote (
    ticket_id     INTEGER PRIMARY KEY REFERENCES queue_ticket(id),
    code          TEXT NOT NULL UNIQUE,
    token_hash    TEXT NOT NULL UNIQUE,
    day           TEXT NOT NULL,
    service       TEXT NOT NULL,
    person_key    TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    mobile        TEXT NOT NULL DEFAULT '',
    notify        INTEGER NOT NULL DEFAULT 0,
    lang          TEXT NOT NULL DEFAULT 'it',
    present_at    TEXT,
    near_sent_at  TEXT
);
CREATE UNIQUE INDEX queue_remote_person ON queue_remote(day, service, person_key);

-- A code sent to an email or a mobile number to prove it: the hash of the
-- code, a few attempts, a short life, used once.
CREATE TABLE queue_contact_check (
    id         TEXT PRIMARY KEY,
    contact    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used_at    TEXT
) WITHOUT ROWID;
CREATE INDEX queue_contact_check_contact ON queue_contact_check(contact, created_at);

-- The wait each ticket was told when issued, for the estimate's error.
CREATE TABLE queue_estimate (
    ticket_id    INTEGER PRIMARY KEY REFERENCES queue_ticket(id),
    wait_seconds INTEGER NOT NULL
);

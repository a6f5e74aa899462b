-- The social desk (Punto Unico di Accesso): visitors not in the register,
-- cases with their declared household, documents, consent, notes,
-- referrals and appointments, and the log of every case view. Social-desk
-- data is read by social workers only (access.Role.CanUseSocialDesk); the
-- store checks the role on every call.

-- A person not in the register, with the data they gave.
CREATE TABLE social_visitor (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    surname    TEXT NOT NULL,
    name       TEXT NOT NULL,
    cf         TEXT NOT NULL DEFAULT '',
    birth_date TEXT,
    phone      TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- The last case number of each desk code and year.
CREATE TABLE social_case_number (
    desk     TEXT NOT NULL,
    year     INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (desk, year)
) WITHOUT ROWID;

CREATE TABLE social_case (
    id               INTEGER PRIMARY KEY,
    uid              TEXT NOT NULL UNIQUE,
    number           TEXT NOT NULL UNIQUE,          -- SOC-2026-00042
    person_uid       TEXT,                          -- the register's person, or
    visitor_id       INTEGER REFERENCES social_visitor(id), -- a visitor
    person_name      TEXT NOT NULL,                 -- "Surname Name" when opened, for lists and search
    person_key       TEXT NOT NULL,                 -- the same folded for search
    type             TEXT NOT NULL,
    source           TEXT NOT NULL,
    referrer         TEXT NOT NULL DEFAULT '',
    presenting_issue TEXT NOT NULL CHECK (presenting_issue <> ''),
    priority         TEXT NOT NULL,
    risks            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(risks)),
    isee_cents       INTEGER,
    isee_expiry      TEXT,
    next_step        TEXT NOT NULL DEFAULT '',
    worker           TEXT NOT NULL,                 -- username of the social worker assigned
    target_date      TEXT,
    phase            TEXT NOT NULL CHECK (phase IN ('intake', 'assessment', 'planning', 'implementation', 'monitoring', 'closed')),
    opened_at        TEXT NOT NULL,
    closed_at        TEXT,
    closure_reason   TEXT NOT NULL DEFAULT '',
    closure_note     TEXT NOT NULL DEFAULT '',
    reopened         INTEGER NOT NULL DEFAULT 0,
    created_by       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    CHECK ((person_uid IS NULL) <> (visitor_id IS NULL))
);
CREATE INDEX social_case_worker ON social_case(worker, phase);
CREATE INDEX social_case_person ON social_case(person_uid);
CREATE INDEX social_case_key ON social_case(person_key);

-- The household the person declared at intake.
CREATE TABLE social_household (
    case_id      INTEGER NOT NULL REFERENCES social_case(id),
    position     INTEGER NOT NULL,
    person_uid   TEXT NOT NULL DEFAULT '',
    name         TEXT NOT NULL,
    relationship TEXT NOT NULL DEFAULT '',
    birth_date   TEXT,
    PRIMARY KEY (case_id, position)
) WITHOUT ROWID;

-- Documents received, kept whole with their SHA-256.
CREATE TABLE social_document (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    case_id     INTEGER NOT NULL REFERENCES social_case(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size = length(content)),
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    received_at TEXT NOT NULL,
    received_by TEXT NOT NULL
);
CREATE INDEX social_document_case ON social_document(case_id);

-- Consent to data processing as recorded; a new record for each change.
CREATE TABLE social_consent (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    case_id     INTEGER NOT NULL REFERENCES social_case(id),
    given       INTEGER NOT NULL CHECK (given IN (0, 1)),
    signed      INTEGER NOT NULL CHECK (signed IN (0, 1)),
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX social_consent_case ON social_consent(case_id);

-- The case diary: append-only, signed by author and time.
CREATE TABLE social_note (
    id      INTEGER PRIMARY KEY,
    uid     TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES social_case(id),
    author  TEXT NOT NULL,
    at      TEXT NOT NULL,
    text    TEXT NOT NULL CHECK (text <> '')
);
CREATE INDEX social_note_case ON social_note(case_id, id);
CREATE TRIGGER social_note_no_update BEFORE UPDATE ON social_note BEGIN
    SELECT RAISE(ABORT, 'social_note is append-only');
END;
CREATE TRIGGER social_note_no_delete BEFORE DELETE ON social_note BEGIN
    SELECT RAISE(ABORT, 'social_note is append-only');
END;

CREATE TABLE social_referral (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    case_id    INTEGER NOT NULL REFERENCES social_case(id),
    service    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'completed')),
    follow_up  TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX social_referral_case ON social_referral(case_id);
CREATE INDEX social_referral_follow_up ON social_referral(status, follow_up);

-- Appointments of the person with a social worker: the worker's calendar.
CREATE TABLE social_appointment (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    case_id    INTEGER NOT NULL REFERENCES social_case(id),
    worker     TEXT NOT NULL,
    at         TEXT NOT NULL,                -- UTC instant
    minutes    INTEGER NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL DEFAULT 'booked' CHECK (state IN ('booked', 'arrived', 'cancelled')),
    ticket_uid TEXT NOT NULL DEFAULT '',     -- the queue ticket issued when the person arrived
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX social_appointment_worker ON social_appointment(worker, at);
CREATE INDEX social_appointment_case ON social_appointment(case_id);

-- Every view of a case: who, when, which case and why. Append-only.
CREATE TABLE social_access_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    operator TEXT NOT NULL,
    case_uid TEXT NOT NULL,
    purpose  TEXT NOT NULL
);
CREATE INDEX social_access_log_case ON social_access_log(case_uid);
CREATE TRIGGER social_access_log_no_update BEFORE UPDATE ON social_access_log BEGIN
    SELECT RAISE(ABORT, 'social_access_log is append-only');
END;
CREATE TRIGGER social_access_log_no_delete BEFORE DELETE ON social_access_log BEGIN
    SELECT RAISE(ABORT, 'social_access_log is append-only');
END;

-- Sportello store, version 2: the registry in depth. Identity documents,
-- the earlier versions of each person row (an edit never overwrites without
-- keeping what was there), the access log of record views with their
-- purpose, and the failed-login counter that locks an account.

CREATE TABLE identity_document (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES person(id),
    kind       TEXT NOT NULL CHECK (kind = 'cie' OR kind = 'paper_id' OR kind = 'passport' OR kind = 'driving_licence'),
    number     TEXT NOT NULL,
    issued_on  TEXT,
    expires_on TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX identity_document_uid ON identity_document(uid);
CREATE INDEX identity_document_person ON identity_document(person_id);

-- A person row as it was before an edit replaced it: data holds the
-- columns that an edit may change, replaced_at the UTC instant it stopped
-- being current.
CREATE TABLE person_version (
    person_id   INTEGER NOT NULL REFERENCES person(id),
    version     INTEGER NOT NULL,
    replaced_at TEXT NOT NULL,
    data        TEXT NOT NULL CHECK (json_valid(data)),
    PRIMARY KEY (person_id, version)
) WITHOUT ROWID;

-- Who opened which record, when and why. Append-only like the audit log.
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    operator   TEXT NOT NULL,
    person_uid TEXT NOT NULL,
    purpose    TEXT NOT NULL
);
CREATE INDEX access_log_at ON access_log(at);
CREATE INDEX access_log_person ON access_log(person_uid, at);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;

-- Wrong passwords in a row per username (as typed, any case), and until
-- when the account is locked (access.MaxFailedLogins, LockoutDuration).
CREATE TABLE login_failure (
    username     TEXT PRIMARY KEY COLLATE NOCASE,
    failures     INTEGER NOT NULL,
    locked_until TEXT
) WITHOUT ROWID;

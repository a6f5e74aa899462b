-- Sportello store, version 1: the register, the municipality dataset, users,
-- and the tables sync relies on (outbox, audit log), in place from the start.
-- Dates are ISO text (YYYY-MM-DD), NULL when unknown; instants are UTC text.
-- CHECK constraints list values with OR, not IN: SQLite evaluates an IN list
-- in a CHECK at a cost of microseconds per row, which a bulk load of
-- millions of persons notices.

PRAGMA application_id = 1397772884; -- 'SPRT'

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Municipality dataset (ANPR lists, CC BY 4.0), filled once at creation.
CREATE TABLE municipality (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    province   TEXT NOT NULL,
    valid_from TEXT,
    valid_to   TEXT
);
CREATE INDEX municipality_code ON municipality(code, valid_from);

CREATE TABLE foreign_state (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    valid_from TEXT,
    valid_to   TEXT
);
CREATE INDEX foreign_state_code ON foreign_state(code, valid_from);

CREATE TABLE address (
    id           INTEGER PRIMARY KEY,
    uid          TEXT NOT NULL,
    toponym      TEXT NOT NULL,
    street       TEXT NOT NULL,
    house_number TEXT NOT NULL,
    internal     TEXT NOT NULL,
    postcode     TEXT NOT NULL,
    place        TEXT NOT NULL,
    street_key   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX address_uid ON address(uid);
CREATE INDEX address_street ON address(street_key, house_number);

CREATE TABLE family (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL,
    householder_id INTEGER REFERENCES person(id) DEFERRABLE INITIALLY DEFERRED,
    address_id     INTEGER REFERENCES address(id),
    formed_on      TEXT,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX family_uid ON family(uid);

CREATE TABLE person (
    id               INTEGER PRIMARY KEY,
    uid              TEXT NOT NULL,
    cf               TEXT NOT NULL,
    cf_base          TEXT NOT NULL,
    cf_checked       INTEGER NOT NULL CHECK (cf_checked = 0 OR cf_checked = 1),
    surname          TEXT NOT NULL,
    name             TEXT NOT NULL,
    surname_key      TEXT NOT NULL,
    name_key         TEXT NOT NULL,
    surname_fts      TEXT NOT NULL,
    name_fts         TEXT NOT NULL,
    sex              TEXT NOT NULL CHECK (sex = 'M' OR sex = 'F'),
    birth_date       TEXT NOT NULL,
    birth_place      TEXT NOT NULL,
    birth_place_name TEXT NOT NULL,
    civil_status     INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status = 'resident' OR status = 'cancelled' OR status = 'deceased' OR status = 'aire'),
    status_since     TEXT,
    family_id        INTEGER REFERENCES family(id),
    relationship     INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX person_uid ON person(uid);
-- Search: surname then name, by key prefix; covers the filter columns so a
-- range scan never reads the table for rows it drops.
CREATE INDEX person_search ON person(surname_key, name_key, birth_date);
CREATE INDEX person_birth ON person(birth_date);
-- Every code is looked up through its base (cf_base = base AND cf = code),
-- so an omocode and its base find each other and one index serves both.
CREATE INDEX person_cf_base ON person(cf_base);
CREATE INDEX person_family ON person(family_id);

CREATE TABLE citizenship (
    person_id INTEGER NOT NULL REFERENCES person(id),
    code      TEXT NOT NULL,
    PRIMARY KEY (person_id, code)
) WITHOUT ROWID;

CREATE TABLE residence (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES person(id),
    address_id INTEGER NOT NULL REFERENCES address(id),
    from_date  TEXT,
    to_date    TEXT,
    reason     INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX residence_person ON residence(person_id);

CREATE TABLE civil_event (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL,
    person_id       INTEGER NOT NULL REFERENCES person(id),
    kind            TEXT NOT NULL CHECK (kind = 'marriage' OR kind = 'civil_union' OR kind = 'divorce' OR kind = 'union_dissolved' OR kind = 'widowhood'),
    date            TEXT,
    place           TEXT NOT NULL,
    other_person_id INTEGER REFERENCES person(id),
    other_name      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX civil_event_uid ON civil_event(uid);
CREATE INDEX civil_event_person ON civil_event(person_id);

-- A person's current address: the family's (a registry family lives at one
-- address), else, for a person in no family, the open residence that
-- started last.
CREATE VIEW person_address AS
SELECT p.id AS person_id,
       coalesce((SELECT f.address_id FROM family f WHERE f.id = p.family_id),
                (SELECT r.address_id FROM residence r
                 WHERE r.person_id = p.id AND r.to_date IS NULL
                 ORDER BY r.from_date DESC, r.id DESC LIMIT 1)) AS address_id
FROM person p;

-- Full-text search over the folded surname and name (registry.SearchTokens),
-- external content kept in step by the triggers below. Search asks for
-- every word as a prefix ("mario"*): a prefix index of the word's length
-- answers in a fraction of a millisecond, while a longer word merges the
-- lists of every term it starts (about a millisecond on 3,000,000 persons).
-- Prefix queries need neither positions nor sizes (detail, columnsize).
CREATE VIRTUAL TABLE person_fts USING fts5(
    surname_fts, name_fts,
    content = 'person', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6 7 8',
    detail = column,
    columnsize = 0
);
CREATE TRIGGER person_fts_insert AFTER INSERT ON person BEGIN
    INSERT INTO person_fts(rowid, surname_fts, name_fts) VALUES (new.id, new.surname_fts, new.name_fts);
END;
CREATE TRIGGER person_fts_delete AFTER DELETE ON person BEGIN
    INSERT INTO person_fts(person_fts, rowid, surname_fts, name_fts) VALUES ('delete', old.id, old.surname_fts, old.name_fts);
END;
CREATE TRIGGER person_fts_update AFTER UPDATE OF surname_fts, name_fts ON person BEGIN
    INSERT INTO person_fts(person_fts, rowid, surname_fts, name_fts) VALUES ('delete', old.id, old.surname_fts, old.name_fts);
    INSERT INTO person_fts(rowid, surname_fts, name_fts) VALUES (new.id, new.surname_fts, new.name_fts);
END;

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    full_name     TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role = 'clerk' OR role = 'registrar' OR role = 'social_worker' OR role = 'supervisor' OR role = 'admin'),
    password_hash TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

-- Every change a desk makes, in the order it made them: seq is gap-free per
-- desk, mutation_id identifies the change everywhere.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY,
    mutation_id  TEXT NOT NULL UNIQUE,
    desk_id      TEXT NOT NULL,
    operator     TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_uid   TEXT NOT NULL,
    op           TEXT NOT NULL,
    base_version INTEGER NOT NULL,
    payload      TEXT NOT NULL CHECK (json_valid(payload)),
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state = 'pending' OR state = 'sent' OR state = 'confirmed' OR state = 'rejected'),
    created_at   TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_state ON outbox(state, seq);

-- Append-only, hash-chained log of who did what (ids only, no personal data).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    operator    TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_uid  TEXT NOT NULL,
    mutation_id TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

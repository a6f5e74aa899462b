-- Sportello store, version 3: certificates. The desk's signing keys, the
-- register of issued certificates with a copy of each PDF, and the cash
-- register of every bollo and fee taken. Amounts in euro cents.

-- Ed25519 keys that seal certificates. This desk's own key is made at first
-- start and is the only row with a private key (its 32-byte seed); keys of
-- other desks, enrolled to verify their certificates, have none.
CREATE TABLE desk_key (
    key_id      TEXT PRIMARY KEY,
    desk_code   TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    private_key BLOB,
    created_at  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE certificate (
    id                INTEGER PRIMARY KEY,
    uid               TEXT NOT NULL UNIQUE,
    number            TEXT NOT NULL UNIQUE,
    desk_code         TEXT NOT NULL,
    year              INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    types             TEXT NOT NULL, -- table 13 codes, comma-separated
    person_id         INTEGER NOT NULL REFERENCES person(id),
    person_uid        TEXT NOT NULL,
    use_of            TEXT NOT NULL,
    bollo_cents       INTEGER NOT NULL, -- the bollo due; 0 when exempt
    bollo_payment     TEXT NOT NULL,    -- virtual, marca, other; '' when exempt
    bollo_serial      TEXT NOT NULL,    -- the marca's serial number
    exemption         INTEGER NOT NULL, -- table 39 code; 0 when none
    exemption_reason  TEXT NOT NULL,
    fee_cents         INTEGER NOT NULL,
    operator          TEXT NOT NULL,
    issued_at         TEXT NOT NULL,
    issue_date        TEXT NOT NULL,
    forced            TEXT NOT NULL, -- the registrar's reason when a refusal was forced
    verification_code TEXT NOT NULL UNIQUE,
    seal              TEXT NOT NULL,
    sha256            TEXT NOT NULL, -- of the PDF handed out
    document          TEXT NOT NULL CHECK (json_valid(document)), -- what was printed, for duplicates
    pdf               BLOB NOT NULL,
    UNIQUE (desk_code, year, seq)
);
CREATE INDEX certificate_person ON certificate(person_id);

CREATE TABLE cash_entry (
    id             INTEGER PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    at             TEXT NOT NULL,
    day            TEXT NOT NULL, -- civil date in Europe/Rome, for the daily close
    operator       TEXT NOT NULL,
    certificate_id INTEGER REFERENCES certificate(id),
    kind           TEXT NOT NULL CHECK (kind = 'bollo' OR kind = 'fee'),
    cents          INTEGER NOT NULL,
    method         TEXT NOT NULL
);
CREATE INDEX cash_entry_day ON cash_entry(day, id);
CREATE INDEX certificate_issue_date ON certificate(issue_date);

-- The daily close of the cash register: once a day is closed it takes no
-- more amounts. The totals are those of the close, by kind and method.
CREATE TABLE cash_close (
    day         TEXT PRIMARY KEY, -- civil date in Europe/Rome
    uid         TEXT NOT NULL UNIQUE,
    closed_at   TEXT NOT NULL,
    operator    TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    totals      TEXT NOT NULL CHECK (json_valid(totals))
) WITHOUT ROWID;

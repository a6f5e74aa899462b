-- Sportello store, version 10: sync with the central server. The same file
-- layout serves a desk and the server: a desk keeps what it pushes and what
-- the server answered; the server keeps the desks it trusts, every mutation
-- it received, and the change log desks pull by sequence.

-- Registry rows a write touched, filled by the triggers below and emptied
-- by the write path once it has recorded the entities' documents with its
-- mutation (store/syncdoc.go).
CREATE TABLE sync_touched (
    entity TEXT NOT NULL,
    uid    TEXT NOT NULL,
    PRIMARY KEY (entity, uid)
) WITHOUT ROWID;

CREATE TRIGGER sync_person_ins AFTER INSERT ON person BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('person', NEW.uid);
END;
CREATE TRIGGER sync_person_upd AFTER UPDATE ON person BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('person', NEW.uid);
END;
CREATE TRIGGER sync_family_ins AFTER INSERT ON family BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('family', NEW.uid);
END;
CREATE TRIGGER sync_family_upd AFTER UPDATE ON family BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('family', NEW.uid);
END;
CREATE TRIGGER sync_address_ins AFTER INSERT ON address BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('address', NEW.uid);
END;
CREATE TRIGGER sync_address_upd AFTER UPDATE ON address BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('address', NEW.uid);
END;
-- Clerks travel too: a desk lets in, offline, whoever the server knows.
CREATE TRIGGER sync_users_ins AFTER INSERT ON users BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('user', NEW.uid);
END;
CREATE TRIGGER sync_users_upd AFTER UPDATE ON users BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('user', NEW.uid);
END;
CREATE TRIGGER sync_convivenza_ins AFTER INSERT ON convivenza BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'family', uid FROM family WHERE id = NEW.family_id;
END;
CREATE TRIGGER sync_convivenza_upd AFTER UPDATE ON convivenza BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'family', uid FROM family WHERE id = NEW.family_id;
END;
CREATE TRIGGER sync_convivenza_del AFTER DELETE ON convivenza BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'family', uid FROM family WHERE id = OLD.family_id;
END;
CREATE TRIGGER sync_citizenship_ins AFTER INSERT ON citizenship BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_citizenship_del AFTER DELETE ON citizenship BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = OLD.person_id;
END;
CREATE TRIGGER sync_residence_ins AFTER INSERT ON residence BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_residence_upd AFTER UPDATE ON residence BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_residence_del AFTER DELETE ON residence BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = OLD.person_id;
END;
CREATE TRIGGER sync_civil_event_ins AFTER INSERT ON civil_event BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_civil_event_upd AFTER UPDATE ON civil_event BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_civil_event_del AFTER DELETE ON civil_event BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = OLD.person_id;
END;
CREATE TRIGGER sync_document_ins AFTER INSERT ON identity_document BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_document_upd AFTER UPDATE ON identity_document BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_document_del AFTER DELETE ON identity_document BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = OLD.person_id;
END;
CREATE TRIGGER sync_electoral_ins AFTER INSERT ON electoral_registration BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_electoral_upd AFTER UPDATE ON electoral_registration BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_electoral_del AFTER DELETE ON electoral_registration BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = OLD.person_id;
END;
CREATE TRIGGER sync_member_ins AFTER INSERT ON family_member BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_member_upd AFTER UPDATE ON family_member BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = NEW.person_id;
END;
CREATE TRIGGER sync_member_del AFTER DELETE ON family_member BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'person', uid FROM person WHERE id = OLD.person_id;
END;

-- Recording an identity document checks that its number is new: an index
-- spares a scan of every document for each one recorded.
CREATE INDEX identity_document_number ON identity_document(kind, number);

-- The social desk's rows (store/syncsocial.go): each row its own document;
-- the declared household travels with its case.
CREATE TRIGGER sync_social_visitor_ins AFTER INSERT ON social_visitor BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_visitor', NEW.uid);
END;
CREATE TRIGGER sync_social_visitor_upd AFTER UPDATE ON social_visitor BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_visitor', NEW.uid);
END;
CREATE TRIGGER sync_social_case_ins AFTER INSERT ON social_case BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_case', NEW.uid);
END;
CREATE TRIGGER sync_social_case_upd AFTER UPDATE ON social_case BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_case', NEW.uid);
END;
CREATE TRIGGER sync_social_consent_ins AFTER INSERT ON social_consent BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_consent', NEW.uid);
END;
CREATE TRIGGER sync_social_document_ins AFTER INSERT ON social_document BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_document', NEW.uid);
END;
CREATE TRIGGER sync_social_note_ins AFTER INSERT ON social_note BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_note', NEW.uid);
END;
CREATE TRIGGER sync_social_referral_ins AFTER INSERT ON social_referral BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_referral', NEW.uid);
END;
CREATE TRIGGER sync_social_referral_upd AFTER UPDATE ON social_referral BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_referral', NEW.uid);
END;
CREATE TRIGGER sync_social_appointment_ins AFTER INSERT ON social_appointment BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_appointment', NEW.uid);
END;
CREATE TRIGGER sync_social_appointment_upd AFTER UPDATE ON social_appointment BEGIN
    INSERT OR IGNORE INTO sync_touched VALUES ('social_appointment', NEW.uid);
END;
CREATE TRIGGER sync_social_household_ins AFTER INSERT ON social_household BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'social_case', uid FROM social_case WHERE id = NEW.case_id;
END;
CREATE TRIGGER sync_social_household_del AFTER DELETE ON social_household BEGIN
    INSERT OR IGNORE INTO sync_touched SELECT 'social_case', uid FROM social_case WHERE id = OLD.case_id;
END;

-- Desk side. docs: the registry documents a mutation touched, before and
-- after (JSON, '' when it touched none); result: what the server answered.
ALTER TABLE outbox ADD COLUMN docs TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN result TEXT NOT NULL DEFAULT '';

-- The entities each mutation touched: a pulled document never overwrites
-- an entity with a mutation still to be confirmed.
CREATE TABLE outbox_entity (
    seq    INTEGER NOT NULL REFERENCES outbox(seq),
    entity TEXT NOT NULL,
    uid    TEXT NOT NULL,
    PRIMARY KEY (entity, uid, seq)
) WITHOUT ROWID;

-- A field two people changed two ways: the base value, this desk's and the
-- server's. A clerk resolves it; the resolution is a mutation of its own.
CREATE TABLE sync_conflict (
    id          INTEGER PRIMARY KEY,
    mutation_id TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_uid  TEXT NOT NULL,
    field       TEXT NOT NULL,
    base        TEXT NOT NULL,
    mine        TEXT NOT NULL,
    theirs      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT NOT NULL DEFAULT '',
    resolution  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX sync_conflict_field ON sync_conflict(mutation_id, entity, entity_uid, field);

-- Server side: the desks it trusts (enrolled with a one-time code) and the
-- highest mutation seq it applied from each.
CREATE TABLE sync_desk (
    desk_id     TEXT PRIMARY KEY,
    desk_code   TEXT NOT NULL UNIQUE,
    key_id      TEXT NOT NULL,
    public_key  BLOB NOT NULL,
    enrolled_at TEXT NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0,
    last_seen   TEXT
) WITHOUT ROWID;

-- One-time enrolment codes an admin issued, kept as their SHA-256.
CREATE TABLE sync_enrol_code (
    code_hash  TEXT PRIMARY KEY,
    desk_code  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    TEXT
) WITHOUT ROWID;

-- Every mutation the server received, with the hash of its content (the
-- same id with other content is refused) and the result it answered (a
-- replay gets it again).
CREATE TABLE sync_mutation (
    desk_id     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    mutation_id TEXT NOT NULL UNIQUE,
    sha256      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_uid  TEXT NOT NULL,
    op          TEXT NOT NULL,
    operator    TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status = 'applied' OR status = 'merged' OR status = 'conflict' OR status = 'rejected'),
    result      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (desk_id, seq)
) WITHOUT ROWID;
CREATE INDEX sync_mutation_entity ON sync_mutation(entity, entity_uid);

-- What changed on the server, in order: desks pull by seq, never by time.
CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT NOT NULL,
    entity_uid TEXT NOT NULL,
    at         TEXT NOT NULL,
    origin     TEXT -- the desk whose push wrote it exactly as that desk holds it
);

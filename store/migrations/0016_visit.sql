-- Sportello store, version 12: the visits. A step is one thing done while a ticket was
-- served (a record opened, a certificate issued, a self-declaration printed,
-- an edit, a social-desk case started or worked), written in the same
-- transaction as the event it records. A visit is named by its day and the
-- ticket's label, which a transfer keeps, so the next service reads what
-- the first one did.
CREATE TABLE visit_step (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL,
    label      TEXT NOT NULL,
    ticket_uid TEXT NOT NULL,
    service    TEXT NOT NULL,
    counter    TEXT NOT NULL,
    clerk      TEXT NOT NULL,
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    person_uid TEXT NOT NULL DEFAULT ''
);
CREATE INDEX visit_step_visit ON visit_step(day, label, id);
CREATE TRIGGER visit_step_no_update BEFORE UPDATE ON visit_step BEGIN
    SELECT RAISE(ABORT, 'visit_step is append-only');
END;

-- Sportello store: a certificate asked for online that owes the bollo waits
-- here, as a pagoPA debt position, until its receipt arrives. The notice
-- number is <segregation code><IUV base>; the IUPD is the position's id at
-- GPD. number is the certificate issued once paid (NULL while pending).
CREATE TABLE portal_payment (
    iupd         TEXT PRIMARY KEY,
    form_id      TEXT NOT NULL UNIQUE,
    requester    TEXT NOT NULL,
    requester_id INTEGER NOT NULL,
    person_id    INTEGER NOT NULL,
    request      TEXT NOT NULL,
    segregation  INTEGER NOT NULL,
    iuv_base     INTEGER NOT NULL,
    cents        INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    published    INTEGER NOT NULL DEFAULT 0,
    receipt_id   TEXT UNIQUE,
    paid_at      TEXT,
    number       TEXT UNIQUE,
    UNIQUE (segregation, iuv_base)
) WITHOUT ROWID;

CREATE INDEX portal_payment_requester ON portal_payment(requester);
CREATE INDEX portal_payment_pending ON portal_payment(created_at) WHERE number IS NULL;

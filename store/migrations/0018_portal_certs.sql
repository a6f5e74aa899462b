-- Sportello store, version 16: certificates asked for online. Each names
-- the signed-in citizen who asked (their person uid: the certificate may be
-- about a member of their family) and the one-time id of the form that
-- asked, so a form sent twice issues one certificate.
CREATE TABLE portal_certificate (
    form_id    TEXT PRIMARY KEY,
    requester  TEXT NOT NULL,
    number     TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX portal_certificate_requester ON portal_certificate(requester);

-- A request to the social desk sent online, by its form's one-time id: a
-- form sent twice opens one request.
CREATE TABLE portal_social_request (
    form_id    TEXT PRIMARY KEY,
    requester  TEXT NOT NULL,
    case_uid   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

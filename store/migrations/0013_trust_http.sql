-- Server side: the office's browser devices (a kiosk page, a board page on
-- a smart TV) that hold a credential of their own. An administrator makes
-- a one-time code for a device (sportellod enrol --kind kiosk); the browser
-- that presents it gets a token, kept here as its SHA-256, that it sends
-- as an HttpOnly cookie. A revoked device's token opens nothing.
CREATE TABLE web_device (
    device_id       TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind = 'kiosk' OR kind = 'board'),
    name            TEXT NOT NULL,
    code_hash       TEXT UNIQUE,     -- the one-time code, until used
    code_expires_at TEXT NOT NULL,
    token_hash      TEXT UNIQUE,     -- set when the code is used
    created_at      TEXT NOT NULL,
    enrolled_at     TEXT,
    revoked_at      TEXT
) WITHOUT ROWID;

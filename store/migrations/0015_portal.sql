-- Sportello store, version 11: the citizens' online desk (portal) on the
-- server. Its keys as a relying party of SPID and CIE, the sign-ins under
-- way and the citizens' sessions, all kept here so that a restart signs no
-- one out and a signed-out session is refused everywhere.

-- The portal's private keys (JWK, JSON): 'federation' signs its entity
-- configuration, 'sig' its request objects and client assertions, 'enc'
-- decrypts what providers encrypt for it. The newest unretired key of a use
-- is the one in use; a retired key is still published (and still decrypts)
-- until its expires_at, so providers that cached the old set keep working.
CREATE TABLE portal_key (
    kid        TEXT PRIMARY KEY,
    use        TEXT NOT NULL CHECK (use IN ('federation', 'sig', 'enc')),
    jwk        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT,
    expires_at TEXT
) WITHOUT ROWID;

-- A sign-in under way, from the redirect to the provider to its answer.
-- Found by the hash of its state and bound to the browser that started it
-- (the hash of a cookie), used once.
CREATE TABLE portal_login (
    state_hash   TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    provider     TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    verifier     TEXT NOT NULL,
    created_at   TEXT NOT NULL
) WITHOUT ROWID;

-- A citizen's session, found by the hash of its cookie. Ended sessions stay
-- (ended_at set) so an old cookie is told apart from a forged one.
CREATE TABLE portal_session (
    id_hash    TEXT PRIMARY KEY,
    person_uid TEXT NOT NULL,
    provider   TEXT NOT NULL,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    ended_at   TEXT
) WITHOUT ROWID;
CREATE INDEX portal_session_person ON portal_session(person_uid);

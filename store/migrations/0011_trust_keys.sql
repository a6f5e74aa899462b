-- Sportello store, version 11: the keys the server trusts, and its register
-- of the certificates desks issued.

-- A revoked desk is refused at the server, and the seals of its keys verify
-- as revoked from then on. Revocation travels to the desks with the keys
-- (desk_key documents), so a desk verifying offline says it too.
ALTER TABLE sync_desk ADD COLUMN revoked_at TEXT;
ALTER TABLE desk_key ADD COLUMN revoked_at TEXT;

-- The keys the server itself took from each desk (at enrolment, rotation,
-- recognition after a restore): only these, and the server's own, verify
-- seals at the server and a desk's pushed certificates.
CREATE TABLE sync_desk_key (
    key_id     TEXT PRIMARY KEY,
    desk_id    TEXT NOT NULL,
    trusted_at TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO sync_desk_key(key_id, desk_id, trusted_at) SELECT key_id, desk_id, enrolled_at FROM sync_desk;

-- The server's register of certificates: one row per number, written when
-- the issuing desk's mutation is applied (store/synccert.go), so a number
-- is never registered twice and a seal is checked against what the desk
-- registered.
CREATE TABLE sync_certificate (
    number      TEXT PRIMARY KEY,
    desk_id     TEXT NOT NULL,
    mutation_id TEXT NOT NULL,
    seal        TEXT NOT NULL,
    issued_at   TEXT NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO sync_certificate(number, desk_id, mutation_id, seal, issued_at)
SELECT json_extract(payload, '$.number'), desk_id, mutation_id, coalesce(json_extract(payload, '$.seal'), ''),
       coalesce(json_extract(payload, '$.issued_at'), received_at)
FROM sync_mutation
WHERE entity = 'certificate' AND op = 'issue' AND status <> 'rejected' AND json_valid(payload)
  AND json_type(payload, '$.number') = 'text'
ORDER BY desk_id, seq;

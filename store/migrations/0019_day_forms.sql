-- Sportello store: annulment of a registered certificate. A registrar
-- annuls a certificate with the reason; the desk's register keeps when, by
-- whom and why, and the server's register (sync_certificate) keeps when and
-- why, so that verification says the certificate was annulled.
ALTER TABLE certificate ADD COLUMN annulled_at TEXT NOT NULL DEFAULT '';
ALTER TABLE certificate ADD COLUMN annulled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE certificate ADD COLUMN annul_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_certificate ADD COLUMN annulled_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_certificate ADD COLUMN annul_reason TEXT NOT NULL DEFAULT '';

-- Sportello store, version 11: what a certificate needs to say only what is
-- true.

-- Why a person left the register (ANPR's motivi di cancellazione, 0 when
-- not recorded) and where to: the municipality or state moved to; for a
-- deceased person the place of death. A cadastral or Z code ('' when not
-- known), with the name as recorded beside it (a foreign town).
ALTER TABLE person ADD COLUMN cancel_reason INTEGER NOT NULL DEFAULT 0;
ALTER TABLE person ADD COLUMN status_place TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN status_place_name TEXT NOT NULL DEFAULT '';

-- The legal reference of exemption 99, printed beside its reason.
ALTER TABLE certificate ADD COLUMN exemption_norm TEXT NOT NULL DEFAULT '';

-- A marca da bollo pays one certificate: its serial is never taken twice.
CREATE UNIQUE INDEX certificate_bollo_serial ON certificate(bollo_serial) WHERE bollo_serial <> '';

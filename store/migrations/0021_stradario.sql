-- Sportello store: the stradario, the municipality's register of streets
-- (toponym, name, official code) and house numbers, loaded from the
-- national archive's (ANNCSU) CSV layout or from the demo. An address whose
-- street is not in it was recorded by a registrar and is flagged.
CREATE TABLE street (
    code     TEXT PRIMARY KEY, -- the archive's progressivo nazionale of the street
    toponym  TEXT NOT NULL,    -- DUG: VIA, PIAZZA ...
    name     TEXT NOT NULL,    -- official name: GIUSEPPE GARIBALDI
    name_key TEXT NOT NULL     -- registry.Fold(name), for the lookup by prefix
);
CREATE UNIQUE INDEX street_name ON street(toponym, name);
CREATE INDEX street_key ON street(name_key);

CREATE TABLE street_number (
    street_code TEXT NOT NULL REFERENCES street(code) ON DELETE CASCADE,
    number      TEXT NOT NULL, -- civico with its esponente: 12, 12/A
    PRIMARY KEY (street_code, number)
);

ALTER TABLE address ADD COLUMN off_stradario INTEGER NOT NULL DEFAULT 0;

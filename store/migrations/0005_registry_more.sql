-- Sportello store, version 5: more of the registry. The electoral lists,
-- the convivenze (institutional households) kept apart from families, and
-- the history of who belonged to which family.

-- A person's entry in the municipality's electoral lists, kept by the
-- electoral office: the polling section and the number in its list. A
-- person with no row is not in the lists; why is read from the record
-- (registry.ElectoralReasonFor: a minor, a foreign citizen, ...).
CREATE TABLE electoral_registration (
    person_id     INTEGER PRIMARY KEY REFERENCES person(id),
    section       INTEGER NOT NULL CHECK (section > 0),
    list_number   INTEGER NOT NULL CHECK (list_number > 0),
    registered_on TEXT
);
CREATE UNIQUE INDEX electoral_registration_place ON electoral_registration(section, list_number);

-- A convivenza (care home, religious community, barracks, prison...): a
-- family row whose members live together for a reason other than ties of
-- family, with its name, its species (ANPR Specie della convivenza) and the
-- person responsible, by name, and by id when in the register.
CREATE TABLE convivenza (
    family_id      INTEGER PRIMARY KEY REFERENCES family(id),
    name           TEXT NOT NULL,
    species        TEXT NOT NULL CHECK (species = 'religious' OR species = 'care' OR species = 'assistance' OR species = 'military' OR species = 'penal' OR species = 'other'),
    responsible    TEXT NOT NULL,
    responsible_id INTEGER REFERENCES person(id)
);

-- Who belonged to which family, and when: one row per stay of a person in a
-- family, to_date NULL while they are a member. The as-at view of a family
-- lists the rows that cover the date, members who left since included;
-- relationship is the one they had while there.
CREATE TABLE family_member (
    id           INTEGER PRIMARY KEY,
    family_id    INTEGER NOT NULL REFERENCES family(id),
    person_id    INTEGER NOT NULL REFERENCES person(id),
    relationship INTEGER NOT NULL,
    from_date    TEXT,
    to_date      TEXT
);
CREATE INDEX family_member_family ON family_member(family_id);
CREATE INDEX family_member_person ON family_member(person_id);

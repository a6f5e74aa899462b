-- Sportello store, version 11: the server trusts no desk further than it
-- must. A change to the clerks carries the proof, signed by the server, that
-- the server itself checked its administrator's password at that desk
-- (store/syncauth.go); the outbox keeps it with the mutation, so a push
-- after a restart of the desk still carries it.
ALTER TABLE outbox ADD COLUMN auth TEXT NOT NULL DEFAULT '';

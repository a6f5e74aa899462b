-- The in-person queue: services, counters, tickets and the numbered events
-- that counter panels and boards follow.

CREATE TABLE queue_service (
    id        INTEGER PRIMARY KEY,
    uid       TEXT NOT NULL UNIQUE,
    code      TEXT NOT NULL UNIQUE,          -- ticket prefix, "A"
    name      TEXT NOT NULL,
    daily_cap INTEGER NOT NULL DEFAULT 999,
    open      INTEGER NOT NULL DEFAULT 1,
    position  INTEGER NOT NULL DEFAULT 0,
    version   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE queue_counter (
    id      INTEGER PRIMARY KEY,
    uid     TEXT NOT NULL UNIQUE,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Codes are the identity of services and counters: they never change.
CREATE TABLE queue_counter_service (
    counter TEXT NOT NULL REFERENCES queue_counter(code) ON DELETE CASCADE,
    service TEXT NOT NULL REFERENCES queue_service(code) ON DELETE CASCADE,
    PRIMARY KEY (counter, service)
) WITHOUT ROWID;

-- The last number given per service and day: numbering restarts each day.
CREATE TABLE queue_number (
    service     TEXT NOT NULL REFERENCES queue_service(code),
    day         TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (service, day)
) WITHOUT ROWID;

CREATE TABLE queue_ticket (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL UNIQUE,
    day             TEXT NOT NULL,           -- civil date in Europe/Rome
    label           TEXT NOT NULL,           -- "A001", kept on transfer
    service         TEXT NOT NULL REFERENCES queue_service(code),
    number          INTEGER NOT NULL,
    priority        INTEGER NOT NULL DEFAULT 0,
    state           TEXT NOT NULL,
    arrived_at      TEXT NOT NULL,
    appointment_at  TEXT,
    first_called_at TEXT,
    called_at       TEXT,
    call_seq        INTEGER,                 -- event seq of the last call, for "K in a row"
    started_at      TEXT,
    ended_at        TEXT,
    counter         TEXT NOT NULL DEFAULT '',   -- code of the counter that called it
    clerk           TEXT NOT NULL DEFAULT '',
    recalls         INTEGER NOT NULL DEFAULT 0,
    outcome         TEXT NOT NULL DEFAULT '',
    parent_id       INTEGER REFERENCES queue_ticket(id),
    version         INTEGER NOT NULL DEFAULT 1
);
-- The head of each line (walk-ins and priority apart) is one index probe.
CREATE INDEX queue_ticket_line ON queue_ticket(day, state, service, priority, arrived_at);
CREATE INDEX queue_ticket_appointment ON queue_ticket(day, service, appointment_at)
    WHERE state = 'waiting' AND appointment_at IS NOT NULL;
CREATE INDEX queue_ticket_calls ON queue_ticket(day, call_seq) WHERE call_seq IS NOT NULL;

-- A call id makes a call idempotent: the same id returns the same ticket.
CREATE TABLE queue_call (
    call_id   TEXT PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES queue_ticket(id),
    counter   TEXT NOT NULL
) WITHOUT ROWID;

-- Every transition, in order. Boards and panels follow seq.
CREATE TABLE queue_event (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    ticket_id INTEGER NOT NULL REFERENCES queue_ticket(id),
    label     TEXT NOT NULL,
    service   TEXT NOT NULL,
    counter   TEXT NOT NULL DEFAULT '',
    state     TEXT NOT NULL,
    priority  INTEGER NOT NULL DEFAULT 0
);

-- A default office, edited later by a supervisor.
INSERT INTO queue_service(uid, code, name, daily_cap, position) VALUES
    ('queue-service-A', 'A', 'Anagrafe e certificati', 300, 1),
    ('queue-service-B', 'B', 'Carta d''identità', 120, 2),
    ('queue-service-C', 'C', 'Sportello sociale - PUA', 80, 3);
INSERT INTO queue_counter(uid, code, name) VALUES
    ('queue-counter-1', '1', 'Sportello 1'),
    ('queue-counter-2', '2', 'Sportello 2'),
    ('queue-counter-3', '3', 'Sportello 3');
INSERT INTO queue_counter_service(counter, service) VALUES
    ('1', 'A'), ('1', 'B'), ('2', 'A'), ('2', 'B'), ('3', 'C'), ('3', 'A');

-- The emulator's whole state, shared by every replica that uses this database.
--
-- Attributes and credentials are kept as JSON (`json`, which keeps the order of members that
-- PingOne's answers have), secrets included; ids, parents, types and timestamps are columns, so that the rules every
-- replica must agree on are the database's constraints: one credential per type per
-- application, and a delete that takes the children with it.

CREATE TABLE environments (
    id uuid PRIMARY KEY,
    -- Creation order, for listings.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    attributes json NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE applications (
    environment_id uuid NOT NULL REFERENCES environments ON DELETE CASCADE,
    id uuid NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    attributes json NOT NULL,
    -- Workers and services only.
    client_secret text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (environment_id, id)
);

CREATE TABLE push_credentials (
    id uuid PRIMARY KEY,
    environment_id uuid NOT NULL,
    application_id uuid NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    type text NOT NULL,
    body json NOT NULL,
    -- HMS only: the one field of `body` answers show, kept apart so that reads need not parse
    -- the body.
    client_id text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    UNIQUE (environment_id, application_id, type),
    FOREIGN KEY (environment_id, application_id) REFERENCES applications ON DELETE CASCADE
);

-- Ids deleted over the API: `auto` tenancy does not provision them again.
CREATE TABLE deleted_environments (id uuid PRIMARY KEY);
CREATE TABLE deleted_applications (
    environment_id uuid NOT NULL,
    id uuid NOT NULL,
    PRIMARY KEY (environment_id, id)
);

-- In `strict` tenancy: environments whose tokens may manage another (besides their own) ...
CREATE TABLE managers (
    target uuid NOT NULL REFERENCES environments ON DELETE CASCADE,
    manager uuid NOT NULL,
    PRIMARY KEY (target, manager)
);
-- ... or every one.
CREATE TABLE global_managers (manager uuid PRIMARY KEY);

-- The settings every replica reads: one row.
CREATE TABLE control (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- {"mode": "real"}, {"mode": "frozen", "frozenAt": …} or {"mode": "offset", "offsetMs": …}.
    clock jsonb NOT NULL DEFAULT '{"mode": "real"}',
    -- The token signing key (PKCS#8 PEM) of replicas started without --signing-key: the first
    -- replica writes it, every other uses it.
    signing_key text,
    -- Whether a seed file was loaded into this database (at the first start with one).
    seeded boolean NOT NULL DEFAULT false
);
INSERT INTO control DEFAULT VALUES;

CREATE TABLE fault_rules (
    id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    -- The rule as `POST /__admin/faults` took it, its seed included.
    spec json NOT NULL,
    -- Calls it rolled for, and calls it fired on: across every replica.
    draws bigint NOT NULL DEFAULT 0,
    hits bigint NOT NULL DEFAULT 0
);

-- Unlogged: a test aid, not data. Its writes skip the write-ahead log (a crash of the database
-- empties it). Reads of one replica, alternating with a logged journal: pairs 1.02, 1.08, 1.13.
CREATE UNLOGGED TABLE journal (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time timestamptz NOT NULL,
    method text NOT NULL,
    path text NOT NULL,
    status integer NOT NULL,
    duration_ms double precision NOT NULL,
    correlation_id uuid,
    environment_id uuid,
    -- The body with secrets redacted (JSON text), or null.
    body text
);

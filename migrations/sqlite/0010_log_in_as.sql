-- SQLite dialect; migrations/postgres holds the same version.
-- "Log in as" (issue 12, PRODUCT.md §8): how long a partner may view an account as its users
-- do, and whether they must say why. The instance's --impersonation-max-minutes caps the length.
ALTER TABLE tenants ADD COLUMN impersonation_minutes INTEGER NOT NULL DEFAULT 30;
ALTER TABLE tenants ADD COLUMN impersonation_reason TEXT NOT NULL DEFAULT 'optional'
    CHECK (impersonation_reason IN ('required', 'optional', 'off'));

-- One view of a customer account through its users' eyes. It rides on the partner user's own
-- session (ending with it) under a cookie of its own, so it is never that session, nor a
-- customer user's: returning leaves the partner signed in as themselves. Only a SHA-256 of the
-- token is stored. The audit log, not this table, is the record: rows are deleted with their
-- session.
CREATE TABLE impersonations (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    session_id  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    reason      TEXT,
    return_to   TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    end_reason  TEXT
);
CREATE INDEX impersonations_session ON impersonations (session_id);
CREATE INDEX impersonations_customer ON impersonations (customer_id);

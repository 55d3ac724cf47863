-- SQLite dialect; migrations/postgres holds the same version.
-- The partner API (issue 28). An API key is a second kind of caller beside a signed-in person
-- (`backend::authz`): it belongs to one partner, holds a subset of its creator's permissions
-- (and, at every request, no more than the creator still holds), may expire, and is revoked by
-- setting `revoked_at`. An account key (`customer_id` set) is a customer owner's, holds no
-- partner permission and opens only `/api/v1/account` of that one account. Only the SHA-256 of the secret is stored; `prefix` (the first
-- characters of the secret) is what lists show to tell keys apart.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    -- An account key (made by an owner in the portal) reaches this customer account alone.
    customer_id  INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    secret_hash  TEXT    NOT NULL UNIQUE,
    permissions  TEXT    NOT NULL, -- space-separated permission keys
    created_by   INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    revoked_by   INTEGER REFERENCES persons(id) ON DELETE SET NULL
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at);
CREATE INDEX api_keys_creator ON api_keys (created_by);
CREATE INDEX api_keys_customer ON api_keys (customer_id);

-- Requests per key per minute, for the rate limit: one row per key and window, in the database
-- so every instance behind a load balancer counts the same calls. Old windows are deleted as
-- new ones open.
CREATE TABLE api_rate_windows (
    key_id       INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    window_start INTEGER NOT NULL,
    requests     INTEGER NOT NULL,
    PRIMARY KEY (key_id, window_start)
);

-- Idempotency-Key: the first answer to a POST, replayed for 24 hours to a retry with the same
-- key and body. `status` 0 marks a request still running (a concurrent retry is told so).
CREATE TABLE api_idempotency (
    key_id       INTEGER NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);

-- Partner admins manage the partner's API keys.
INSERT INTO role_permissions (role_id, permission) VALUES (1, 'api_keys.manage');

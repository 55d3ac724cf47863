-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Webhooks (issue 28). A partner's endpoints, each subscribed to some event types and signing
-- with its secret (and, for a day after a rotation, the one before). A change writes its events
-- to the outbox `webhook_events`, with one `webhook_deliveries` row per subscribed endpoint,
-- in the same transaction as the change itself: a crash after the commit loses no event, and a
-- change rolled back sends none. Deliverers on any instance claim due deliveries by setting
-- `locked_until` (on PostgreSQL with FOR UPDATE SKIP LOCKED), so each is sent by one of them.
CREATE TABLE webhook_endpoints (
    id                    BIGSERIAL PRIMARY KEY,
    tenant_id             BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    url                   TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    events                TEXT    NOT NULL, -- space-separated event types
    secret                TEXT    NOT NULL, -- whsec_…: kept as is, since signing needs it
    previous_secret       TEXT,
    previous_secret_until BIGINT,
    enabled               BIGINT NOT NULL,
    failing_since         BIGINT,
    created_by            BIGINT REFERENCES persons(id) ON DELETE SET NULL,
    created_at            BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id);

CREATE TABLE webhook_events (
    id         BIGSERIAL PRIMARY KEY,
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    event_type TEXT    NOT NULL,
    payload    TEXT    NOT NULL, -- the JSON body sent
    created_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    event_id        BIGINT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    state           TEXT    NOT NULL, -- pending | delivered | failed
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL, -- no attempt after this (a day; a redelivery starts another)
    locked_until    BIGINT,
    last_attempt_at BIGINT,
    last_status     BIGINT,
    last_latency_ms BIGINT,
    last_response   TEXT,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

-- Partner admins manage the partner's webhooks.
INSERT INTO role_permissions (role_id, permission) VALUES (1, 'webhooks.manage');

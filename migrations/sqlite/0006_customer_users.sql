-- SQLite dialect; migrations/postgres holds the same schema.
-- Customer users (PRODUCT.md §7): invitations, activation and reset tokens, email templates,
-- and the development mailbox.

-- When a customer membership was offered and taken up; who offered it.
ALTER TABLE memberships ADD COLUMN invited_at   INTEGER;
ALTER TABLE memberships ADD COLUMN invited_by   INTEGER REFERENCES persons(id) ON DELETE SET NULL;
ALTER TABLE memberships ADD COLUMN activated_at INTEGER;
CREATE INDEX memberships_customer ON memberships (customer_id);

-- How long an activation link lives in this tenant.
ALTER TABLE tenants ADD COLUMN activation_link_hours INTEGER NOT NULL DEFAULT 72;

-- Single-use links. Only a SHA-256 of the 256-bit token is stored. An activation names the
-- membership it activates; a reset only the person.
CREATE TABLE person_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,
    purpose       TEXT    NOT NULL CHECK (purpose IN ('activation', 'reset')),
    person_id     INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    membership_id INTEGER REFERENCES memberships(id) ON DELETE CASCADE,
    tenant_id     INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    used_at       INTEGER,
    CHECK (purpose = 'reset' OR membership_id IS NOT NULL)
);
CREATE INDEX person_tokens_membership ON person_tokens (membership_id);
CREATE INDEX person_tokens_person     ON person_tokens (person_id);

-- A tenant's own wording of an email; without a row the built-in default applies.
CREATE TABLE email_templates (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('invitation', 'reset')),
    subject   TEXT    NOT NULL,
    body_text TEXT    NOT NULL,
    body_html TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

-- Every email the instance sends: delivered over SMTP when configured, otherwise kept here for
-- operators to read (the development mailbox). Bodies hold single-use links: operators only.
CREATE TABLE outbound_emails (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    tenant_id  INTEGER REFERENCES tenants(id) ON DELETE SET NULL,
    to_addr    TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body_text  TEXT    NOT NULL,
    body_html  TEXT    NOT NULL,
    transport  TEXT    NOT NULL CHECK (transport IN ('smtp', 'mailbox')),
    error      TEXT
);
CREATE INDEX outbound_emails_at ON outbound_emails (at);

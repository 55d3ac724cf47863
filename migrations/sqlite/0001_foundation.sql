-- Clientele foundation schema (SQLite dialect; migrations/postgres holds the same schema).
-- Times are UTC Unix seconds (INTEGER) so both databases compare, sort and index them alike.
-- Flags are 0/1 integers for the same reason.

CREATE TABLE tenants (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT    NOT NULL,
    slug                    TEXT    NOT NULL UNIQUE,
    support_level_confirmed INTEGER NOT NULL DEFAULT 0 CHECK (support_level_confirmed IN (0, 1)),
    status                  TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL
);

-- One identity per email across the whole instance; what a person may reach comes from memberships.
CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE, -- stored lower-cased
    full_name     TEXT    NOT NULL,
    password_hash TEXT,                    -- NULL until the person sets a password
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_login_at INTEGER
);

-- Built-in roles have tenant_id NULL and are shared by every partner; custom roles belong to one.
CREATE TABLE roles (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    builtin   INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1))
);
CREATE UNIQUE INDEX roles_tenant_key ON roles (COALESCE(tenant_id, 0), key);

CREATE TABLE role_permissions (
    role_id    INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    permission TEXT    NOT NULL,
    PRIMARY KEY (role_id, permission)
);

CREATE TABLE customers (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    street             TEXT,
    suite              TEXT,
    city               TEXT,
    state_province     TEXT,
    postal_code        TEXT,
    country            TEXT,   -- ISO 3166-1 alpha-2
    contact_first_name TEXT,
    contact_last_name  TEXT,
    contact_email      TEXT,
    phone_primary      TEXT,
    phone_secondary    TEXT,
    parent_id          INTEGER REFERENCES customers(id),
    workflow           TEXT,
    status             TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    status_changed_at  INTEGER,
    status_changed_by  INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    created_at         INTEGER NOT NULL,
    created_by         INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    updated_at         INTEGER NOT NULL,
    updated_by         INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    version            INTEGER NOT NULL DEFAULT 1  -- optimistic concurrency: bumped by every update
);
CREATE INDEX customers_tenant_name   ON customers (tenant_id, name, id);
CREATE INDEX customers_tenant_status ON customers (tenant_id, status, name, id);
CREATE INDEX customers_parent        ON customers (parent_id);

-- kind: 'operator' (tenant NULL), 'partner' (tenant + role), 'customer' (tenant + customer + customer_role).
CREATE TABLE memberships (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('operator', 'partner', 'customer')),
    tenant_id     INTEGER REFERENCES tenants(id) ON DELETE CASCADE,
    role_id       INTEGER REFERENCES roles(id),
    customer_id   INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    customer_role TEXT    CHECK (customer_role IN ('owner', 'member')),
    state         TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('invited', 'active', 'disabled')),
    created_at    INTEGER NOT NULL,
    CHECK ((kind = 'operator' AND tenant_id IS NULL)
        OR (kind = 'partner'  AND tenant_id IS NOT NULL AND role_id IS NOT NULL)
        OR (kind = 'customer' AND tenant_id IS NOT NULL AND customer_id IS NOT NULL AND customer_role IS NOT NULL))
);
CREATE INDEX memberships_person ON memberships (person_id);
CREATE UNIQUE INDEX memberships_unique ON memberships (person_id, kind, COALESCE(tenant_id, 0), COALESCE(customer_id, 0));

-- Only a SHA-256 of the session token is stored: a leaked table cannot be replayed as cookies.
CREATE TABLE sessions (
    id               INTEGER PRIMARY KEY,
    token_hash       TEXT    NOT NULL UNIQUE,
    person_id        INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    active_tenant_id INTEGER REFERENCES tenants(id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    client_addr      TEXT,
    user_agent       TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Failed sign-ins, by throttle key ('ip:…', 'acct:…', 'acct-ip:…'); old rows are pruned.
CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY,
    throttle_key TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (throttle_key, at);

-- Append-only. No foreign keys: an entry must outlive the person, customer or tenant it names.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              INTEGER NOT NULL,
    actor_person_id INTEGER,
    actor_label     TEXT    NOT NULL,
    acting_as       TEXT,
    tenant_id       INTEGER,
    action          TEXT    NOT NULL,
    target_type     TEXT,
    target_id       INTEGER,
    target_label    TEXT,
    changes         TEXT,   -- JSON object: field -> [before, after]
    client_addr     TEXT
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
CREATE INDEX audit_log_target    ON audit_log (target_type, target_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The built-in roles of PRODUCT.md §2, shared by every partner.
INSERT INTO roles (id, tenant_id, key, name, builtin) VALUES
    (1, NULL, 'partner_admin',   'Partner admin',   1),
    (2, NULL, 'account_manager', 'Account manager', 1),
    (3, NULL, 'support',         'Support',         1),
    (4, NULL, 'viewer',          'Viewer',          1);

INSERT INTO role_permissions (role_id, permission) VALUES
    (1, 'customers.view'), (1, 'customers.create'), (1, 'customers.edit'), (1, 'customers.disable'),
    (1, 'customers.delete'), (1, 'customers.export'), (1, 'customers.impersonate'),
    (1, 'customer_users.manage'), (1, 'tenant.configure'), (1, 'partner_users.manage'),
    (1, 'audit.view'), (1, 'persons.erase'),
    (2, 'customers.view'), (2, 'customers.create'), (2, 'customers.edit'), (2, 'customers.disable'),
    (2, 'customers.export'), (2, 'customers.impersonate'), (2, 'customer_users.manage'),
    (3, 'customers.view'), (3, 'customers.impersonate'), (3, 'customer_users.manage'),
    (4, 'customers.view');

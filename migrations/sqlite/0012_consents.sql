-- SQLite dialect; migrations/postgres holds the same version.
-- Consents per person and partner (issue 13, PRODUCT.md §9): terms, privacy policy and
-- marketing information, each accepted or not, with the date. Each partner words its own terms
-- and privacy policy (links) and says which must be accepted to activate an invitation.
ALTER TABLE tenants ADD COLUMN terms_url TEXT;
ALTER TABLE tenants ADD COLUMN privacy_url TEXT;
ALTER TABLE tenants ADD COLUMN terms_required INTEGER NOT NULL DEFAULT 0 CHECK (terms_required IN (0, 1));
ALTER TABLE tenants ADD COLUMN privacy_required INTEGER NOT NULL DEFAULT 0 CHECK (privacy_required IN (0, 1));

-- The current answer; the audit log keeps every change.
CREATE TABLE consents (
    person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind      TEXT    NOT NULL CHECK (kind IN ('terms', 'privacy', 'marketing')),
    accepted  INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    at        INTEGER NOT NULL,
    PRIMARY KEY (person_id, tenant_id, kind)
);
CREATE INDEX consents_tenant ON consents (tenant_id, person_id);

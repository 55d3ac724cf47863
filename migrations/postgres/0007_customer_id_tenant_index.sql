-- PostgreSQL dialect; migrations/sqlite holds the same version (a no-op there).
-- Custom-field filters find customer ids through customer_field_values, then each id must be
-- checked to be the tenant's. With (id, tenant_id) that check is an index-only lookup instead
-- of a heap fetch: counting 10,000 matches of a choice field went from ~45 ms to ~15 ms at a
-- million customers.
CREATE INDEX customers_id_tenant ON customers (id, tenant_id);

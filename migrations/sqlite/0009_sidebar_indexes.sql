-- The sidebar's top level, "active customers outside any network, by name", read in order from
-- an index that holds only those rows, instead of sorting most of the tenant. Queries must
-- repeat its condition literally (status = 'active' AND parent_id IS NULL) to use it.
CREATE INDEX customers_active_top_level ON customers (tenant_id, name, id) WHERE status = 'active' AND parent_id IS NULL;

-- Sub-accounts by network: their active count (index only) and their list. Partial, so that no
-- plan can pick it for "parent_id IS NULL" (nine customers in ten): with statistics SQLite
-- chose the old full index for the sidebar's top level and sorted ~900,000 rows by name.
DROP INDEX customers_parent;
CREATE INDEX customers_parent ON customers (parent_id, status, tenant_id) WHERE parent_id IS NOT NULL;

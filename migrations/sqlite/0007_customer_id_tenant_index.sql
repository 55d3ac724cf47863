-- SQLite dialect; migrations/postgres holds the same version.
-- Nothing to do here: PostgreSQL gets an (id, tenant_id) index so that checking a customer id's
-- tenant needs no heap fetch. SQLite finds a row by its rowid in the table's own b-tree, which
-- already is that lookup. The file keeps the two dialects' version numbers in step.
SELECT 1;

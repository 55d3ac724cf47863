-- Substring search at a million customers: a trigram GIN index answers
-- `search_text LIKE '%term%'` (3+ characters) without reading the table. SQLite does the same
-- with an FTS5 trigram table. pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX customers_search_trgm ON customers USING gin (search_text gin_trgm_ops);

-- Country and city filters, with or without status, are counted from these indexes alone.
CREATE INDEX customers_tenant_country_status ON customers (tenant_id, country, status);
CREATE INDEX customers_tenant_city_status    ON customers (tenant_id, city, status);

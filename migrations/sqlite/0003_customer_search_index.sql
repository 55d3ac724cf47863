-- Substring search at a million customers: an FTS5 trigram index over customers.search_text,
-- kept in step by triggers. A quoted term matched against it finds every row containing that
-- term (3+ characters) without reading the table. PostgreSQL does the same with pg_trgm.
CREATE VIRTUAL TABLE customers_search USING fts5(
    search_text, content = 'customers', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO customers_search (customers_search) VALUES ('rebuild');

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customers_search (customers_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO customers_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

-- Country and city filters, with or without status, are counted from these indexes alone.
CREATE INDEX customers_tenant_country_status ON customers (tenant_id, country, status);
CREATE INDEX customers_tenant_city_status    ON customers (tenant_id, city, status);

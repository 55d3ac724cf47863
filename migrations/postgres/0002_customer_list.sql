-- The customer list: search text and one index per sort order (tenant first, then the sort
-- key, then id, matching the keyset `ORDER BY key, id`).

-- Lower-cased name, contact names, email, phones and city; written by the application.
ALTER TABLE customers ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE customers SET search_text = lower(trim(
    name || ' ' || COALESCE(contact_first_name, '') || ' ' || COALESCE(contact_last_name, '') || ' ' ||
    COALESCE(contact_email, '') || ' ' || COALESCE(phone_primary, '') || ' ' ||
    COALESCE(phone_secondary, '') || ' ' || COALESCE(city, '')));

CREATE INDEX customers_tenant_country_sort ON customers (tenant_id, (COALESCE(country, '')), id);
CREATE INDEX customers_tenant_city_sort    ON customers (tenant_id, (COALESCE(city, '')), id);
CREATE INDEX customers_tenant_created_sort ON customers (tenant_id, created_at, id);
CREATE INDEX customers_tenant_status_sort  ON customers (tenant_id, status, id);

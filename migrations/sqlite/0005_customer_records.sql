-- Customer records (PRODUCT.md §3, §10): each tenant's form configuration, custom fields and
-- their values, and workflows.

-- A built-in field's mode in one tenant; a field without a row is optional.
CREATE TABLE tenant_field_modes (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    field     TEXT    NOT NULL,
    mode      TEXT    NOT NULL CHECK (mode IN ('required', 'optional', 'hidden')),
    PRIMARY KEY (tenant_id, field)
);

CREATE TABLE custom_fields (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    label     TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN ('text', 'number', 'date', 'yes_no', 'choice')),
    required  INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    help_text TEXT    NOT NULL DEFAULT '',
    options   TEXT    NOT NULL DEFAULT '[]', -- JSON array: the values of a choice field
    position  INTEGER NOT NULL,
    UNIQUE (tenant_id, key)
);

-- One row per customer and field that has a value. Values are text in the field's canonical
-- form (numbers as typed, dates YYYY-MM-DD, yes/no as 'yes'/'no').
CREATE TABLE customer_field_values (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    field_id    INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    value       TEXT    NOT NULL,
    PRIMARY KEY (customer_id, field_id)
);
-- Filtering the list by a choice or yes/no value starts here instead of reading every customer.
CREATE INDEX customer_field_values_by_value ON customer_field_values (field_id, value, customer_id);

CREATE TABLE workflows (
    id        INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    UNIQUE (tenant_id, name)
);

-- SQLite dialect; migrations/postgres holds the same version.
-- Running the instance from the UI (issue 14): whom the operator talks to at each partner.
ALTER TABLE tenants ADD COLUMN contact_name  TEXT;
ALTER TABLE tenants ADD COLUMN contact_email TEXT;

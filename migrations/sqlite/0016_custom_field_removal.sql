-- SQLite dialect; migrations/postgres holds the same version.
-- Removing a custom field that a million customers filled rewrites a million search texts: far
-- too long for one transaction (SQLite would be locked for a minute). The removal marks the
-- field at once (it disappears everywhere), then clears its values and refreshes those
-- customers' search text a few hundred at a time, each batch one transaction; a crash leaves
-- the mark, and the next start goes on where it stopped.
ALTER TABLE custom_fields ADD COLUMN removing_since BIGINT;
CREATE INDEX custom_fields_removing ON custom_fields (id) WHERE removing_since IS NOT NULL;

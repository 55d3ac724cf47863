-- SQLite dialect; migrations/postgres holds the same version.
-- Trust between tenants, round 2 (issue 26).
--
-- Which people each audit entry names (as its actor, its target, or the person behind a
-- membership it is about), so an erasure or an unsubscribe rewrites exactly those entries,
-- found by person id through this index, in bounded batches, instead of scanning the whole log
-- for an email address inside one write transaction.
CREATE TABLE audit_log_people (
    person_id INTEGER NOT NULL,
    entry_id  INTEGER NOT NULL,
    PRIMARY KEY (person_id, entry_id)
) WITHOUT ROWID;

-- The entries written before this migration, read from what they hold: the actor, a person
-- target, a membership target whose membership still exists, and a "Name <email>" or plain
-- email label of someone who still exists.
INSERT OR IGNORE INTO audit_log_people (person_id, entry_id)
SELECT actor_person_id, id FROM audit_log WHERE actor_person_id IS NOT NULL;
INSERT OR IGNORE INTO audit_log_people (person_id, entry_id)
SELECT target_id, id FROM audit_log WHERE target_type = 'person' AND target_id IS NOT NULL;
INSERT OR IGNORE INTO audit_log_people (person_id, entry_id)
SELECT m.person_id, a.id FROM audit_log a JOIN memberships m ON m.id = a.target_id
WHERE a.target_type IN ('customer_user', 'partner_user');
INSERT OR IGNORE INTO audit_log_people (person_id, entry_id)
SELECT p.id, a.id FROM audit_log a JOIN persons p ON p.email = a.target_label;
INSERT OR IGNORE INTO audit_log_people (person_id, entry_id)
SELECT p.id, a.id FROM audit_log a JOIN persons p
  ON p.email = substr(a.target_label, instr(a.target_label, '<') + 1,
                      instr(a.target_label, '>') - instr(a.target_label, '<') - 1)
WHERE instr(a.target_label, '<') > 0 AND instr(a.target_label, '>') > instr(a.target_label, '<');

-- Rewrites of the audit log that run in batches, each committed on its own, and resume after a
-- crash (`erasure::finish_pseudonymisations`): replace the names and email of `person_id` by its
-- pseudonym in every entry that names them (`tenant_id` NULL: an erasure) or in one partner's
-- entries (an unsubscribe). `replacements` is a JSON list of [from, to] pairs; `next_entry_id`
-- is how far it got.
CREATE TABLE pseudonymisations (
    id            INTEGER PRIMARY KEY,
    person_id     INTEGER NOT NULL,
    tenant_id     INTEGER,
    pseudonym     TEXT    NOT NULL,
    replacements  TEXT    NOT NULL,
    next_entry_id INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Emails carrying a link are limited per partner that asked for them, and per partner and
-- recipient (issue 26): `requested_by_tenant` is the partner whose action sent it (an invitation,
-- a resend, a reset it asked for); NULL for what the person asked themselves (forgot password)
-- and for notices. Both counts, and an erasure's removal of a person's emails, read these indexes.
ALTER TABLE outbound_emails ADD COLUMN requested_by_tenant INTEGER;
CREATE INDEX outbound_emails_requested_at ON outbound_emails (requested_by_tenant, at);
CREATE INDEX outbound_emails_to_at        ON outbound_emails (to_addr, at);

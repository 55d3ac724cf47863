-- SQLite dialect; migrations/postgres holds the same version.
-- Erasure (issue 13, PRODUCT.md §2, §9): erasing a person everywhere is the platform
-- operator's alone. Partners are separate companies; none may erase what another holds.
DELETE FROM role_permissions WHERE permission = 'persons.erase';

-- The audit log stays append-only, with one exception: an erasure replaces the erased person's
-- name and email in the labels and recorded changes by a pseudonym. Nothing else about an
-- entry may change, and no entry may go.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_person_id IS NOT OLD.actor_person_id
  OR NEW.acting_as IS NOT OLD.acting_as OR NEW.tenant_id IS NOT OLD.tenant_id OR NEW.action IS NOT OLD.action
  OR NEW.target_type IS NOT OLD.target_type OR NEW.target_id IS NOT OLD.target_id
  OR NEW.client_addr IS NOT OLD.client_addr
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (an erasure may only replace names and emails)'); END;

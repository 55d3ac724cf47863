-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Erasure (issue 13, PRODUCT.md §2, §9): erasing a person everywhere is the platform
-- operator's alone. Partners are separate companies; none may erase what another holds.
DELETE FROM role_permissions WHERE permission = 'persons.erase';

-- The audit log stays append-only, with one exception: an erasure replaces the erased person's
-- name and email in the labels and recorded changes by a pseudonym. Nothing else about an
-- entry may change, and no entry may go.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.id = OLD.id AND NEW.at = OLD.at
     AND NEW.actor_person_id IS NOT DISTINCT FROM OLD.actor_person_id
     AND NEW.acting_as IS NOT DISTINCT FROM OLD.acting_as
     AND NEW.tenant_id IS NOT DISTINCT FROM OLD.tenant_id
     AND NEW.action = OLD.action
     AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
     AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
     AND NEW.client_addr IS NOT DISTINCT FROM OLD.client_addr THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only (an erasure may only replace names and emails)';
END $$;

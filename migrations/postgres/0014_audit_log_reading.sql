-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Reading the audit log (issue 14): newest first by id, each filter served by an index that
-- ends in the id, so a page walks at most its own entries whichever filter is set.
DROP INDEX audit_log_tenant_at;
DROP INDEX audit_log_target;
CREATE INDEX audit_log_tenant_id ON audit_log (tenant_id, id);
CREATE INDEX audit_log_actor     ON audit_log (actor_person_id, id);
CREATE INDEX audit_log_action    ON audit_log (action, id);
CREATE INDEX audit_log_target    ON audit_log (target_type, target_id, id);
-- Dates become id bounds through this one.
CREATE INDEX audit_log_at        ON audit_log (at);
-- Entries made while a partner user viewed as a customer are few: their own small index.
CREATE INDEX audit_log_acting    ON audit_log (tenant_id, id) WHERE acting_as IS NOT NULL;

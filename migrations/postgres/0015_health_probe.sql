-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Readiness (`/readyz`) proves the database takes writes by committing this one row: a full
-- disk, a read-only file or a writer that will not let go shows there, not only in a user's save.
CREATE TABLE health_probe (
    id         BIGINT PRIMARY KEY,
    checked_at BIGINT NOT NULL
);
INSERT INTO health_probe (id, checked_at) VALUES (1, 0);

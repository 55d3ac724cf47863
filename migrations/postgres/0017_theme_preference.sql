-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Each person's colour theme: 'system' follows the browser's prefers-color-scheme; 'light' and
-- 'dark' override it. Kept with the person (not the browser) so it follows them to every device.
ALTER TABLE persons ADD COLUMN theme TEXT NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark'));

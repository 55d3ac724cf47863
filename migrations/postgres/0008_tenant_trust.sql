-- PostgreSQL dialect; migrations/sqlite holds the same version.
-- Nothing a tenant does may reach a person's identity elsewhere (issue 11):
-- the name this tenant knows the person by, given at invitation. One person may be invited by
-- several tenants; none sees the name another gave, or the one the person chose.
ALTER TABLE memberships ADD COLUMN display_name TEXT;
-- 1 when the link was shown to the inviter (the "display activation link" method): such a link
-- proves nothing about the invitee's inbox, so it cannot accept for an existing account.
ALTER TABLE person_tokens ADD COLUMN shown BIGINT NOT NULL DEFAULT 0 CHECK (shown IN (0, 1));
-- Tenants word emails in plain text only; Clientele lays out the HTML itself, with the one link
-- where {{link}} stands, so no template can change where a credential link points.
ALTER TABLE email_templates DROP COLUMN body_html;
-- When the person's email was shown to be theirs (a link sent to it was used). An identity
-- created through a link the inviter was shown has none until then: it cannot take a second
-- membership or staff rights. Everyone who already had a password is taken as confirmed.
ALTER TABLE persons ADD COLUMN email_verified_at BIGINT;
UPDATE persons SET email_verified_at = created_at WHERE password_hash IS NOT NULL;

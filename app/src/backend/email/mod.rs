//! Email (PRODUCT.md §7): rendered from the tenant's templates (or the defaults), delivered
//! with lettre over SMTP when configured, and otherwise kept in the development mailbox that
//! operators read at Settings → Mailbox. Either way every email is recorded in
//! `outbound_emails` and logged (without its body: links in it are credentials).

pub mod settings;

use super::now;
use super::state::{MailConfig, SmtpConfig, SmtpTls};
use crate::error::AppError;
use crate::types::email::{EmailKind, EmailTemplate};
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::{AnyConnection, Row};
use std::time::Duration;

/// An email ready to go.
#[derive(Debug, Clone)]
pub struct Email {
    pub tenant_id: Option<i64>,
    pub to_name: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// The credential the bodies carry (a single-use link). The stored copy keeps it only while
    /// there is no SMTP server (the development mailbox is then the only way to read it);
    /// otherwise it is removed from the copy once the email has gone, or failed to go.
    pub secret: Option<String>,
    /// The partner whose action sends it (an invitation, a reset it asked for), counted against
    /// its limits ([`check_link_limits`]); `None` for what the person asked for themselves.
    pub requested_by_tenant: Option<i64>,
}

/// What a stored copy shows in place of a link that was sent.
pub const REDACTED_LINK: &str = "[link removed once sent]";

/// Sends (or stores) an email and records it. A delivery failure is recorded and reported to
/// the caller, who decides whether it undoes the change that wanted the email.
pub async fn send(db: &super::Db, config: &MailConfig, email: Email) -> Result<(), AppError> {
    let (transport, error) = match &config.smtp {
        None => ("mailbox", None),
        Some(smtp) => ("smtp", deliver(smtp, &config.from, &email).await.err()),
    };
    let stored = |body: &str| match (&email.secret, transport) {
        (Some(secret), "smtp") => body.replace(secret.as_str(), REDACTED_LINK),
        _ => body.to_string(),
    };
    sqlx::query(
        "INSERT INTO outbound_emails (at, tenant_id, to_addr, subject, body_text, body_html, transport, error,
                                      requested_by_tenant)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now())
    .bind(email.tenant_id)
    .bind(&email.to_addr)
    .bind(&email.subject)
    .bind(stored(&email.body_text))
    .bind(stored(&email.body_html))
    .bind(transport)
    .bind(error.as_deref())
    .bind(email.requested_by_tenant)
    .execute(&db.pool)
    .await?;
    match error {
        None => {
            tracing::info!(to = %email.to_addr, subject = %email.subject, transport, "email sent");
            Ok(())
        }
        Some(error) => {
            tracing::error!(to = %email.to_addr, %error, "email delivery failed");
            Err(AppError::bad_request("The email could not be sent. Try again later, or display the link instead."))
        }
    }
}

async fn deliver(smtp: &SmtpConfig, from: &str, email: &Email) -> Result<(), String> {
    let from: Mailbox = from.parse().map_err(|e| format!("the From address is not valid: {e}"))?;
    let to =
        Mailbox::new(Some(email.to_name.clone()), email.to_addr.parse().map_err(|e| format!("bad recipient: {e}"))?);
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(&email.subject)
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.body_text.clone()))
                .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(email.body_html.clone())),
        )
        .map_err(|e| e.to_string())?;
    let tls = match smtp.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::StartTls => Tls::Required(TlsParameters::new(smtp.host.clone()).map_err(|e| e.to_string())?),
        SmtpTls::Tls => Tls::Wrapper(TlsParameters::new(smtp.host.clone()).map_err(|e| e.to_string())?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(15)));
    if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    builder.build().send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

/// The built-in wording, used until a tenant writes its own (and for operators' and partner
/// staff's resets, always).
pub fn default_template(kind: EmailKind) -> EmailTemplate {
    match kind {
        EmailKind::Invitation => EmailTemplate {
            subject: "You are invited to {{customer}} on {{partner}}".into(),
            body_text: "Hello {{name}},\n\nYou have been invited to the account {{customer}} at {{partner}}.\n\
                        Choose your password here to get started:\n\n{{link}}\n\nThe link works once and expires {{expiry}}.\n"
                .into(),
        },
        EmailKind::Reset => EmailTemplate {
            subject: "Reset your {{partner}} password".into(),
            body_text: "Hello {{name}},\n\nSomeone asked to reset your password. If it was you, choose a new one here:\n\n{{link}}\n\n\
                        The link works once and expires {{expiry}}. If it was not you, ignore this email: your password stays as it is.\n"
                .into(),
        },
    }
}

/// A staff invitation always has this wording: a partner words the emails its customers get,
/// never the one that hands out staff rights. `{{customer}}` holds the role.
pub fn staff_invitation_template() -> EmailTemplate {
    EmailTemplate {
        subject: "Join the {{partner}} team on Clientele".into(),
        body_text: "Hello {{name}},\n\n{{partner}} has invited you to its team on Clientele, as {{customer}}.\n\
                    Choose your password here to get started:\n\n{{link}}\n\nThe link works once and expires {{expiry}}.\n"
            .into(),
    }
}

/// One email carrying a single-use link (an invitation or a reset), in a tenant's wording or
/// Clientele's own.
pub(in crate::backend) struct LinkEmail<'a> {
    pub kind: EmailKind,
    /// Whose name it carries and, unless `template` says otherwise, whose template;
    /// `None`: the built-in wording, signed "Clientele".
    pub tenant_id: Option<i64>,
    /// A fixed wording instead of the tenant's (staff invitations).
    pub template: Option<EmailTemplate>,
    /// The partner whose action sends it (see [`Email::requested_by_tenant`]).
    pub requested_by_tenant: Option<i64>,
    pub name: &'a str,
    pub email: &'a str,
    /// `{{customer}}`: the account, or for a staff invitation the role.
    pub customer: &'a str,
    pub link: &'a str,
    pub expires_at: i64,
}

impl LinkEmail<'_> {
    pub async fn send(&self, state: &super::AppState) -> Result<(), AppError> {
        let (template, partner) = match self.tenant_id {
            Some(tenant) => {
                let mut conn = state.db.pool.acquire().await?;
                let template = match &self.template {
                    Some(fixed) => fixed.clone(),
                    None => template(&mut conn, tenant, self.kind).await?.0,
                };
                let row =
                    sqlx::query("SELECT name FROM tenants WHERE id = $1").bind(tenant).fetch_one(&mut *conn).await?;
                (template, row.try_get::<String, _>("name")?)
            }
            None => (self.template.clone().unwrap_or_else(|| default_template(self.kind)), "Clientele".to_string()),
        };
        let expiry = expiry_text(self.expires_at);
        let vars =
            Variables { name: self.name, link: self.link, expiry: &expiry, customer: self.customer, partner: &partner };
        let (subject, body_text, body_html) = render(self.kind, &template, &vars);
        let email = Email {
            tenant_id: self.tenant_id,
            to_name: self.name.into(),
            to_addr: self.email.into(),
            subject,
            body_text,
            body_html,
            secret: Some(self.link.to_string()),
            requested_by_tenant: self.requested_by_tenant,
        };
        send(&state.db, &state.mail, email).await
    }
}

/// At most this many emails carrying a link per partner and hour (invitations, resends, resets
/// it asks for): enough to onboard a large customer, too few to make the instance a spam cannon.
pub const LINK_EMAILS_PER_PARTNER_HOUR: i64 = 500;
/// At most this many of those to one address from one partner per hour, so no partner can fill
/// someone's inbox (nor another partner's quota decide what this one may send).
pub const LINK_EMAILS_PER_RECIPIENT_HOUR: i64 = 3;

/// Refuses a link email that `tenant_id` would send to `to_addr` beyond its limits: a field error
/// on the email for one recipient, `Throttled` (with the seconds left) for the partner as a whole.
/// Counted from the emails already recorded, so checked before anything is written.
pub(in crate::backend) async fn check_link_limits(
    conn: &mut AnyConnection,
    tenant_id: i64,
    to_addr: &str,
) -> Result<(), AppError> {
    const HOUR: i64 = 3600;
    let since = now() - HOUR;
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS first FROM outbound_emails
         WHERE to_addr = $1 AND at >= $2 AND requested_by_tenant = $3",
    )
    .bind(to_addr)
    .bind(since)
    .bind(tenant_id)
    .fetch_one(&mut *conn)
    .await?;
    if row.try_get::<i64, _>("n")? >= LINK_EMAILS_PER_RECIPIENT_HOUR {
        let minutes = ((row.try_get::<i64, _>("first")? + HOUR - now()) / 60).max(1);
        return Err(AppError::invalid(
            "email",
            format!(
                "{to_addr} has had {LINK_EMAILS_PER_RECIPIENT_HOUR} emails from you in the last hour. Try again in {minutes} minutes."
            ),
        ));
    }
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, COALESCE(MIN(at), 0) AS first FROM outbound_emails
         WHERE requested_by_tenant = $1 AND at >= $2",
    )
    .bind(tenant_id)
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    if row.try_get::<i64, _>("n")? >= LINK_EMAILS_PER_PARTNER_HOUR {
        return Err(AppError::Throttled((row.try_get::<i64, _>("first")? + HOUR - now()).max(1) as u64));
    }
    Ok(())
}

/// A tenant's template may carry no address of its own: the one link is `{{link}}`, which
/// Clientele fills in. Anything a mail client would turn into a link (`https://…`, `www.…`,
/// `evil.example/reset`) is refused, so a template cannot send people elsewhere for their
/// password. Server side only (the URL finder stays out of the browser's bundle).
pub fn url_problem(template: &EmailTemplate) -> crate::types::forms::FieldErrors {
    let mut finder = linkify::LinkFinder::new();
    finder.kinds(&[linkify::LinkKind::Url]).url_must_have_scheme(false);
    let mut errors = crate::types::forms::FieldErrors::new();
    for (field, text) in [("subject", &template.subject), ("body_text", &template.body_text)] {
        if let Some(found) = finder.links(text).next() {
            errors.insert(
                field.into(),
                format!(
                    "Remove \u{201c}{}\u{201d}: a template carries no address of its own; {{{{link}}}} is the one link.",
                    found.as_str()
                ),
            );
        }
    }
    errors
}

/// Values for a template's `{{variables}}`.
pub struct Variables<'a> {
    pub name: &'a str,
    pub link: &'a str,
    pub expiry: &'a str,
    pub customer: &'a str,
    pub partner: &'a str,
}

/// Renders a template into (subject, text, HTML). The HTML is laid out here from the text:
/// everything a tenant wrote is escaped, and each `{{link}}` line becomes the one link, a
/// button Clientele draws itself, so no wording can change where it points.
pub fn render(kind: EmailKind, template: &EmailTemplate, vars: &Variables) -> (String, String, String) {
    let fill = |text: &str| {
        let mut out = text.to_string();
        for (name, v) in
            [("name", vars.name), ("expiry", vars.expiry), ("customer", vars.customer), ("partner", vars.partner)]
        {
            out = out.replace(&format!("{{{{{name}}}}}"), v);
        }
        out
    };
    // A subject never carries the link (templates refuse it; this is the belt to those braces).
    let subject = fill(&template.subject).replace("{{link}}", "").replace(['\r', '\n'], " ");
    let text = fill(&template.body_text);
    let button = match kind {
        EmailKind::Invitation => "Choose your password",
        EmailKind::Reset => "Choose a new password",
    };
    let link = html_escape(vars.link);
    let html = text
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| {
            let lines: Vec<String> = paragraph
                .lines()
                .map(|line| {
                    if line.trim() == "{{link}}" {
                        format!("<a href=\"{link}\" style=\"{BUTTON_STYLE}\">{button}</a>")
                    } else {
                        html_escape(line)
                    }
                })
                .collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect::<String>();
    let text = text
        .lines()
        .map(|line| if line.trim() == "{{link}}" { vars.link } else { line })
        .collect::<Vec<_>>()
        .join("\n");
    (subject, text, html)
}

/// A plain notice with no link (a password was changed, …), in Clientele's own words: never a
/// tenant's, and addressed to the person rather than on any partner's behalf.
pub fn notice(to_name: &str, to_addr: &str, subject: &str, body_text: &str) -> Email {
    let body_html = body_text
        .split("\n\n")
        .filter(|paragraph| !paragraph.trim().is_empty())
        .map(|paragraph| format!("<p>{}</p>", paragraph.lines().map(html_escape).collect::<Vec<_>>().join("<br>")))
        .collect();
    Email {
        tenant_id: None,
        to_name: to_name.into(),
        to_addr: to_addr.into(),
        subject: subject.into(),
        body_text: body_text.into(),
        body_html,
        secret: None,
        requested_by_tenant: None,
    }
}

const BUTTON_STYLE: &str =
    "display:inline-block;padding:10px 16px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none";

pub(in crate::backend) fn html_escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// "on 2026-11-25 at 14:00 UTC", for `{{expiry}}`.
pub fn expiry_text(at: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!("on [year]-[month]-[day] at [hour]:[minute] UTC");
    at.format(&format).unwrap_or_default()
}

/// The template a tenant uses for `kind`, and whether it is the default.
pub(in crate::backend) async fn template(
    conn: &mut AnyConnection,
    tenant_id: i64,
    kind: EmailKind,
) -> Result<(EmailTemplate, bool), AppError> {
    let row = sqlx::query("SELECT subject, body_text FROM email_templates WHERE tenant_id = $1 AND kind = $2")
        .bind(tenant_id)
        .bind(kind.key())
        .fetch_optional(&mut *conn)
        .await?;
    let stored = match row {
        Some(r) => Some(EmailTemplate { subject: r.try_get("subject")?, body_text: r.try_get("body_text")? }),
        None => None,
    };
    // A template saved under older, looser rules is not used until it is saved again.
    Ok(match stored {
        Some(t) if t.validate().is_empty() && url_problem(&t).is_empty() => (t, false),
        _ => (default_template(kind), true),
    })
}

/// Whose wording a password-reset email for `person_id` uses: never a tenant's for an operator or
/// partner staff (a tenant must not word the email that resets someone's staff account); else
/// `preferred` when the person has accepted a customer membership there; else the first tenant
/// where they have one; else none (the built-in wording). An invitation alone never counts: a
/// tenant could otherwise invite anyone to get its wording into their resets.
pub(in crate::backend) async fn reset_wording_tenant(
    conn: &mut AnyConnection,
    person_id: i64,
    preferred: Option<i64>,
) -> Result<Option<i64>, AppError> {
    let staff = sqlx::query(
        "SELECT 1 FROM memberships WHERE person_id = $1 AND kind IN ('operator', 'partner') AND state = 'active'",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    if staff.is_some() {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT tenant_id FROM memberships WHERE person_id = $1 AND kind = 'customer' AND state = 'active'
         ORDER BY CASE WHEN tenant_id = $2 THEN 0 ELSE 1 END, id LIMIT 1",
    )
    .bind(person_id)
    .bind(preferred.unwrap_or(0))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| r.try_get("tenant_id")).transpose()?)
}

pub(in crate::backend) async fn link_hours(conn: &mut AnyConnection, tenant_id: i64) -> Result<i64, AppError> {
    let row = sqlx::query("SELECT activation_link_hours FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get("activation_link_hours")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_fills_variables_escapes_the_html_and_draws_the_one_link() {
        let vars = Variables {
            name: "Ann <Boss>",
            link: "https://x.test/activate?token=ab",
            expiry: "soon",
            customer: "A&B",
            partner: "P",
        };
        let (subject, text, html) = render(EmailKind::Invitation, &default_template(EmailKind::Invitation), &vars);
        insta::assert_snapshot!(subject, @"You are invited to A&B on P");
        insta::assert_snapshot!(text, @r"
        Hello Ann <Boss>,

        You have been invited to the account A&B at P.
        Choose your password here to get started:

        https://x.test/activate?token=ab

        The link works once and expires soon.
        ");
        insta::assert_snapshot!(html, @r#"<p>Hello Ann &lt;Boss&gt;,</p><p>You have been invited to the account A&amp;B at P.<br>Choose your password here to get started:</p><p><a href="https://x.test/activate?token=ab" style="display:inline-block;padding:10px 16px;background:#1d4ed8;color:#ffffff;border-radius:6px;text-decoration:none">Choose your password</a></p><p>The link works once and expires soon.</p>"#);
    }

    #[test]
    fn defaults_pass_the_template_rules() {
        for kind in EmailKind::ALL {
            assert!(default_template(kind).validate().is_empty(), "{kind:?}");
            assert!(url_problem(&default_template(kind)).is_empty(), "{kind:?}");
        }
        assert!(staff_invitation_template().validate().is_empty());
        assert!(url_problem(&staff_invitation_template()).is_empty());
    }

    #[test]
    fn templates_carry_no_address_but_the_link() {
        let with =
            |body: &str| EmailTemplate { subject: "Hello".into(), body_text: format!("{body}\n\n{{{{link}}}}\n") };
        for bad in [
            "Reset at https://evil.example/reset instead.",
            "Go to www.evil.example now.",
            "Visit evil-login.example/reset",
            "See http://127.0.0.1:8080/x",
        ] {
            assert!(url_problem(&with(bad)).contains_key("body_text"), "{bad}");
        }
        for fine in ["Questions? Write to support@acme.example.", "Thanks, the Acme team. Version 2.5 is out."] {
            assert!(url_problem(&with(fine)).is_empty(), "{fine}");
        }
        let subject = EmailTemplate { subject: "Visit acme.example".into(), body_text: "{{link}}\n".into() };
        assert!(url_problem(&subject).contains_key("subject"));
    }
}

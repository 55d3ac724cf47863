//! Emails: the tenant's templates shape them, and they go out over SMTP as lettre sends them.

use super::customer_users::{invite, ok};
use crate::common::{self, TestApp};
use http::StatusCode;
use serde_json::{json, Value};

async fn email_settings_shape_the_emails(app: TestApp) {
    let alpha = app.fixture.acme_customer;
    let mut admin = app.signed_in("admin@acme.test").await;
    let bad = admin
        .call_json(
            "settings/email-template",
            json!({ "kind": "Invitation", "template": { "subject": "Hi {{link}}", "body_text": "no link" } }),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["Invalid"].as_object().unwrap().keys().collect::<Vec<_>>(), ["body_text", "subject"]);
    let template = json!({ "subject": "Welcome to {{customer}}", "body_text": "Hi {{name}}:\n{{link}}\n({{expiry}})" });
    ok(&admin.call_json("settings/email-template", json!({ "kind": "Invitation", "template": template })).await);
    for hours in [0, 721] {
        assert_eq!(
            admin.call_json("settings/link-lifetime", json!({ "hours": hours })).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let settings = ok(&admin.call_json("settings/link-lifetime", json!({ "hours": 24 })).await);
    assert_eq!(settings["link_hours"], 24);

    let outcome = ok(&invite(&mut admin, alpha, "Zoë <Z>", "zoe@example.com", "Member", false).await);
    assert_eq!(outcome["link"], Value::Null, "an emailed link is not shown");
    let lifetime = outcome["expires_at"].as_i64().unwrap() - app::backend::now();
    assert!((24 * 3600 - 60..=24 * 3600).contains(&lifetime));
    use sqlx::Row;
    let mail =
        sqlx::query("SELECT subject, body_text, body_html FROM outbound_emails").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(mail.get::<String, _>("subject"), "Welcome to Alpha Bakery");
    assert!(mail.get::<String, _>("body_text").starts_with("Hi Zoë <Z>:\nhttp://clientele.test/activate?token="));
    assert!(mail
        .get::<String, _>("body_html")
        .starts_with("<p>Hi Zoë &lt;Z&gt;:<br><a href=\"http://clientele.test/activate?token="));

    // Only operators read the mailbox; partner admins do not.
    assert_eq!(admin.call_json("mailbox", json!({})).await.status, StatusCode::FORBIDDEN);
    let mut operator = app.signed_in("op@platform.test").await;
    assert_eq!(ok(&operator.call_json("mailbox", json!({})).await)[0]["to"], "zoe@example.com");
    let mut viewer = app.signed_in("viewer@acme.test").await;
    assert_eq!(viewer.call_json("settings/emails", json!({})).await.status, StatusCode::FORBIDDEN);
}

/// A tiny SMTP server on localhost that accepts one message and hands back the whole
/// conversation, so the test sees exactly what lettre sent over the wire.
async fn smtp_listener() -> (u16, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut seen = String::new();
        write.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
        let mut in_data = false;
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push_str(&line);
            seen.push('\n');
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-test.local\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("DATA") {
                in_data = true;
                b"354 go ahead\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                b"250 ok\r\n"
            };
            write.write_all(reply).await.unwrap();
        }
        seen
    });
    (port, handle)
}

async fn an_invitation_is_delivered_over_smtp(
    app_for: fn(app::backend::MailConfig) -> std::pin::Pin<Box<dyn std::future::Future<Output = TestApp> + Send>>,
) {
    use app::backend::{MailConfig, SmtpConfig, SmtpTls};
    let (port, conversation) = smtp_listener().await;
    let smtp = SmtpConfig { host: "127.0.0.1".into(), port, tls: SmtpTls::None, username: None, password: None };
    let app = app_for(MailConfig {
        smtp: Some(smtp),
        from: "Clientele <no-reply@clientele.test>".into(),
        ..common::test_mail()
    })
    .await;
    let mut admin = app.signed_in("admin@acme.test").await;
    let outcome =
        ok(&invite(&mut admin, app.fixture.acme_customer, "Sam Smtp", "sam@example.com", "Member", false).await);
    assert_eq!(outcome["link"], Value::Null);
    let seen = tokio::time::timeout(std::time::Duration::from_secs(10), conversation)
        .await
        .expect("the SMTP listener heard nothing")
        .unwrap();
    assert!(seen.contains("MAIL FROM:<no-reply@clientele.test>"), "{seen}");
    assert!(seen.contains("RCPT TO:<sam@example.com>"), "{seen}");
    assert!(seen.contains("Subject: You are invited to Alpha Bakery on Acme Partners"), "{seen}");
    assert!(seen.contains("Content-Type: text/html"), "HTML and plain text: {seen}");
    assert!(seen.contains("activate?token="), "{seen}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbound_emails WHERE transport = 'smtp' AND error IS NULL").await, 1);
    // Once sent, the stored copy keeps no live link.
    use sqlx::Row;
    let stored = sqlx::query("SELECT body_text, body_html FROM outbound_emails").fetch_one(&app.db.pool).await.unwrap();
    for body in [stored.get::<String, _>("body_text"), stored.get::<String, _>("body_html")] {
        assert!(!body.contains("token="), "{body}");
        assert!(body.contains(app::backend::email::REDACTED_LINK), "{body}");
    }
}

#[test]
fn an_invitation_is_delivered_over_smtp_with_sqlite() {
    common::run(an_invitation_is_delivered_over_smtp(|mail| Box::pin(TestApp::sqlite_with(mail))));
}

#[test]
fn an_invitation_is_delivered_over_smtp_with_postgres() {
    common::run(an_invitation_is_delivered_over_smtp(|mail| Box::pin(TestApp::postgres_with(mail))));
}

/// The development mailbox shows live links, so every read of it is audited.
async fn reading_the_mailbox_is_audited(app: TestApp) {
    let mut operator = app.signed_in("op@platform.test").await;
    ok(&operator.call_json("mailbox", json!({})).await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'mailbox.read'").await, 1);
}

/// A tenant's template may word an email, never aim its link: `{{link}}` wrapped in another
/// address, or written into the HTML, is refused; the HTML is Clientele's own layout.
async fn templates_cannot_aim_the_link(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    for body in ["Reset here: https://evil.example/?next={{link}}", "<a href=\"https://evil.example\">{{link}}</a>"] {
        let res = admin
            .call_json(
                "settings/email-template",
                json!({ "kind": "Reset", "template": { "subject": "Reset", "body_text": body } }),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    // Markup a tenant writes arrives as text.
    let template = json!({ "subject": "Hello", "body_text": "<a href=\"#here\">Click</a>\n{{link}}" });
    ok(&admin.call_json("settings/email-template", json!({ "kind": "Invitation", "template": template })).await);
    ok(&invite(&mut admin, app.fixture.acme_customer, "Ed", "ed@example.com", "Member", false).await);
    use sqlx::Row;
    let html: String =
        sqlx::query("SELECT body_html FROM outbound_emails").fetch_one(&app.db.pool).await.unwrap().get("body_html");
    assert!(
        html.starts_with(
            "<p>&lt;a href=&quot;#here&quot;&gt;Click&lt;/a&gt;<br><a href=\"http://clientele.test/activate?token="
        ),
        "{html}"
    );
    assert_eq!(html.matches("<a ").count(), 1, "one link, Clientele's: {html}");
}

/// A password reset never carries the wording of a tenant that merely invited the person, and
/// partner staff or operators always get the built-in wording.
async fn reset_emails_use_only_a_tenant_the_person_belongs_to(app: TestApp) {
    let mut admin = app.signed_in("admin@acme.test").await;
    let phishy = json!({ "subject": "Acme says reset", "body_text": "Acme wording\n{{link}}" });
    ok(&admin.call_json("settings/email-template", json!({ "kind": "Reset", "template": phishy })).await);
    // Acme invites Globex's admin (pending) and a customer user who accepts.
    ok(&invite(&mut admin, app.fixture.acme_customer, "G", "admin@globex.test", "Member", true).await);
    app.person("cathy@example.com")
        .customer_user(app.fixture.acme_customer, app::types::customer_users::AccountRole::Member)
        .create()
        .await;
    // (The invitation of an existing account went to its inbox: only the resets below count here.)
    app.execute("DELETE FROM outbound_emails").await;
    let mut anyone = app.client_from("10.1.1.1");
    for email in ["admin@globex.test", "admin@acme.test", "cathy@example.com"] {
        ok(&anyone.call_json("account/forgot-password", json!({ "email": email })).await);
    }
    let subject = |to: &'static str| {
        let db = app.db.clone();
        async move {
            for _ in 0..50 {
                use sqlx::Row;
                if let Some(row) = sqlx::query("SELECT subject FROM outbound_emails WHERE to_addr = $1")
                    .bind(to)
                    .fetch_optional(&db.pool)
                    .await
                    .unwrap()
                {
                    return row.get::<String, _>("subject");
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("no reset email to {to}");
        }
    };
    assert_eq!(
        subject("admin@globex.test").await,
        "Reset your Clientele password",
        "staff elsewhere, merely invited here"
    );
    assert_eq!(subject("admin@acme.test").await, "Reset your Clientele password", "partner staff");
    assert_eq!(subject("cathy@example.com").await, "Acme says reset", "an accepted customer user of Acme");
}

on_both_databases!(
    templates_cannot_aim_the_link,
    reset_emails_use_only_a_tenant_the_person_belongs_to,
    reading_the_mailbox_is_audited,
    email_settings_shape_the_emails,
);

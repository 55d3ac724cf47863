//! Clientele's application crate: the Leptos UI (rendered on the server, hydrated in the
//! browser), the server functions it calls, and — behind the `ssr` feature — the domain layer.

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod context;
pub mod countries;
pub mod error;
pub mod format;
pub mod frame;
pub mod pages;
pub mod types;

pub use error::AppError;

use api::customers::SetCustomersStatus;
use api::session::{get_session, Login, Logout, SwitchTenant};
use context::{Auth, CustomerActions, ThemeChoice};
use frame::shell::Shell;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};
use pages::{
    account_links::{ActivatePage, ForgotPasswordPage, ResetPasswordPage},
    api_keys::ApiKeysPage,
    audit::AuditLogPage,
    customer_users::CustomerUsersPage,
    customers::{detail::CustomerDetailPage, CustomersPage},
    email::{mailbox::MailboxPage, settings::EmailSettingsPage},
    field_config::CustomerFieldsPage,
    home::HomePage,
    impersonation_settings::ImpersonationSettingsPage,
    my_account::MyAccountPage,
    not_found::NotFound,
    partners::PartnersPage,
    portal::{PortalAccountPage, PortalHomePage},
    roles::RolesPage,
    session::LoginPage,
    team::TeamPage,
    webhooks::WebhooksPage,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // Inline, so browsers do not ask for a /favicon.ico that is not there.
                <link
                    rel="icon"
                    href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%231d4ed8'/%3E%3C/svg%3E"
                />
                // The stylesheet by its content-hashed name when the build names files so.
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// `<html data-theme="…">`: the person's theme (the stylesheet follows the device for
/// "system" and for anyone signed out).
#[component]
fn ThemeAttribute() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let chosen = expect_context::<ThemeChoice>().0;
    let attribute = move || {
        Suspend::new(async move {
            let saved = auth.session.await.ok().flatten().map(|s| s.theme).unwrap_or_default();
            view! { <Html {..} data-theme=move || chosen.get().unwrap_or(saved).key() /> }
        })
    };
    view! { <Suspense>{attribute}</Suspense> }
}

/// The Content-Security-Policy of a page: scripts from this origin (the bundle) or inline with
/// this response's nonce (Leptos' hydration and resource scripts), the WASM the bundle compiles,
/// and everything else from this origin only. No inline script without the nonce runs.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The page's CSP names the nonce Leptos put on its inline scripts for this response.
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(value) = http::HeaderValue::from_str(&content_security_policy(&nonce)) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let switch_tenant = ServerAction::<SwitchTenant>::new();
    let session = Resource::new(
        move || (login.version().get(), logout.version().get(), switch_tenant.version().get()),
        |_| get_session(),
    );
    provide_context(Auth { login, logout, switch_tenant, session });
    let theme_choice = RwSignal::new(None);
    provide_context(ThemeChoice(theme_choice));
    Effect::new(move |_| {
        login.version().track();
        logout.version().track();
        theme_choice.set(None);
    });
    provide_context(CustomerActions {
        set_status: ServerAction::<SetCustomersStatus>::new(),
        editor: RwSignal::new(None),
        deleting: RwSignal::new(None),
        impersonating: RwSignal::new(None),
        changed: RwSignal::new(0),
        notice: RwSignal::new(None),
    });

    // Effects run only in the browser, after hydration: end-to-end tests wait for this marker
    // before they click, so no click lands on a page that is not yet interactive.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title text="Clientele" />
        <ThemeAttribute />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/activate") view=ActivatePage ssr=SsrMode::Async />
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/portal") view=PortalHomePage ssr=SsrMode::Async />
                <Route path=path!("/portal/:id") view=PortalAccountPage ssr=SsrMode::Async />
                <ParentRoute path=path!("") view=Shell ssr=SsrMode::Async>
                    <Route path=path!("") view=HomePage />
                    <Route path=path!("customers") view=CustomersPage />
                    <Route path=path!("customers/:id") view=CustomerDetailPage />
                    <Route path=path!("customers/:id/users") view=CustomerUsersPage />
                    <Route path=path!("settings") view=PartnersPage />
                    <Route path=path!("settings/fields") view=CustomerFieldsPage />
                    <Route path=path!("settings/emails") view=EmailSettingsPage />
                    <Route path=path!("settings/log-in-as") view=ImpersonationSettingsPage />
                    <Route path=path!("settings/mailbox") view=MailboxPage />
                    <Route path=path!("settings/team") view=TeamPage />
                    <Route path=path!("settings/roles") view=RolesPage />
                    <Route path=path!("settings/api") view=ApiKeysPage />
                    <Route path=path!("settings/webhooks") view=WebhooksPage />
                    <Route path=path!("settings/audit") view=AuditLogPage />
                    <Route path=path!("account") view=MyAccountPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

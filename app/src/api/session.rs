#[cfg(feature = "ssr")]
use crate::backend::{authz, impersonation, request, session};
use crate::error::AppError;
use crate::types::session::SessionInfo;
use leptos::prelude::*;

/// Signs in and redirects to the app. Any earlier session cookie is replaced by a new session.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    request::respond(async move {
        let state = crate::backend::state()?;
        // Signing in would end the session a "Log in as" view rides on, unaudited: return first.
        authz::refuse_while_impersonating().await?;
        let token = session::sign_in(&state, &email, &password, request::session_token().as_deref()).await?;
        request::set_session_cookie(&token, &state.security);
        leptos_axum::redirect("/", false);
        Ok(())
    })
    .await
}

/// Ends the session on the server and clears the cookie.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    request::respond(async move {
        let state = crate::backend::state()?;
        request::clear_session_cookie(state.security.secure_cookies);
        request::clear_impersonation_cookie(state.security.secure_cookies);
        match authz::current_actor().await {
            Ok((_, actor)) => {
                if let Some(impersonation) = &actor.impersonation {
                    impersonation::check::finish(
                        &state.db,
                        &actor,
                        impersonation,
                        impersonation::check::EndReason::SignedOut,
                    )
                    .await?;
                }
                session::sign_out(&state, &actor).await?
            }
            Err(AppError::Unauthenticated) => {}
            Err(other) => return Err(other),
        }
        leptos_axum::redirect("/login", false);
        Ok(())
    })
    .await
}

/// Who is signed in; `None` when nobody is (not an error: the login page asks this too).
#[server(endpoint = "session")]
pub async fn get_session() -> Result<Option<SessionInfo>, AppError> {
    request::respond(async move {
        match authz::current_actor().await {
            Ok((state, actor)) => Ok(Some(authz::session_info(&state, &actor).await?)),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(other) => Err(other),
        }
    })
    .await
}

/// Switches the partner workspace this session works in.
#[server(endpoint = "switch-tenant")]
pub async fn switch_tenant(tenant_id: i64) -> Result<(), AppError> {
    request::respond(async move {
        authz::switch_tenant(tenant_id).await?;
        leptos_axum::redirect("/customers", false);
        Ok(())
    })
    .await
}

//! Erasing a person everywhere: the operator's tool and the person's own "Delete my account".

#[cfg(feature = "ssr")]
use crate::backend::{authorize_operator, current_actor, erasure, request};
use crate::error::AppError;
use crate::types::erasure::ErasurePreview;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

/// Who has `email`, and which partners hold them: operators only.
#[server(endpoint = "persons/erase-preview", input = Json)]
pub async fn preview_erasure(email: String) -> Result<ErasurePreview, AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        erasure::preview(&scope, &email).await
    })
    .await
}

/// Erases a person everywhere (`persons.erase`: operators only); `confirm_email` is typed.
#[server(endpoint = "persons/erase", input = Json)]
pub async fn erase_person(person_id: i64, confirm_email: String) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize_operator().await?;
        erasure::erase_by_operator(&scope, person_id, &confirm_email).await
    })
    .await
}

/// "Delete my account": the signed-in person erases themselves, with their password.
#[server(endpoint = "account/delete", input = Json)]
pub async fn delete_my_account(password: String) -> Result<(), AppError> {
    request::respond(async move {
        let (state, actor) = current_actor().await?;
        erasure::delete_own_account(&state, &actor, &password).await?;
        request::clear_session_cookie(state.security.secure_cookies);
        Ok(())
    })
    .await
}

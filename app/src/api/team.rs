//! The partner's own staff (Settings → Team): every call needs `partner_users.manage`.
use crate::error::AppError;
use crate::types::customer_users::InviteOutcome;
use crate::types::team::{StaffInvite, Team};
#[cfg(feature = "ssr")]
use crate::{
    backend::{authorize, request, state, team},
    types::session::Permission,
};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(endpoint = "team/list", input = Json)]
pub async fn list_team() -> Result<Team, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::PartnerUsersManage).await?;
        team::list(&scope).await
    })
    .await
}

#[server(endpoint = "team/invite", input = Json)]
pub async fn invite_colleague(input: StaffInvite) -> Result<InviteOutcome, AppError> {
    request::respond(async move {
        let scope = authorize(Permission::PartnerUsersManage).await?;
        team::invite(&state()?, &scope, &input).await
    })
    .await
}

#[server(endpoint = "team/role", input = Json)]
pub async fn change_colleague_role(membership_id: i64, role_id: i64) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::PartnerUsersManage).await?;
        team::change_role(&scope, membership_id, role_id).await
    })
    .await
}

/// Disables (`active: false`) or enables again a colleague's access to this partner.
#[server(endpoint = "team/access", input = Json)]
pub async fn set_colleague_access(membership_id: i64, active: bool) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::PartnerUsersManage).await?;
        team::set_active(&scope, membership_id, active).await
    })
    .await
}

#[server(endpoint = "team/remove", input = Json)]
pub async fn remove_colleague(membership_id: i64) -> Result<(), AppError> {
    request::respond(async move {
        let scope = authorize(Permission::PartnerUsersManage).await?;
        team::remove(&scope, membership_id).await
    })
    .await
}

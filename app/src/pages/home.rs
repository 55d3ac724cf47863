//! `/`: sends each person to where their work is.
use crate::context::Auth;
use crate::types::session::Permission;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let target = match auth.session.await {
                    Ok(Some(info)) if info.tenant.is_some() && info.can(Permission::CustomersView) => "/customers",
                    Ok(Some(info)) if info.is_operator => "/settings",
                    Ok(Some(info)) if info.tenant.is_none() && !info.accounts.is_empty() => "/portal",
                    Ok(Some(_)) => "/customers",
                    _ => "/login",
                };
                view! { <Redirect path=target /> }
            })}
        </Transition>
    }
}

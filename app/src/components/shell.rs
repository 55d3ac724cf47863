//! The signed-in frame: header, role-driven sidebar and the page. Signed-out visitors are sent
//! to the login page (the server refuses them anyway).

use super::{feedback::ErrorNotice, header::AppHeader, sidebar::Sidebar};
use crate::Auth;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

#[component]
pub fn Shell() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Transition fallback=|| view! { <super::feedback::Loading/> }>
            {move || Suspend::new(async move {
                match auth.session.await {
                    Ok(Some(info)) => EitherOf3::A(view! {
                        <AppHeader info=info.clone()/>
                        <div class="layout">
                            <Sidebar info/>
                            <main id="main" class="content">
                                <Outlet/>
                            </main>
                        </div>
                    }),
                    Ok(None) => EitherOf3::B(view! { <Redirect path="/login"/> }),
                    Err(error) => EitherOf3::C(view! { <main class="content"><ErrorNotice error/></main> }),
                }
            })}
        </Transition>
    }
}

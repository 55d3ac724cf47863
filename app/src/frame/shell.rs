//! The signed-in frame: header, role-driven sidebar and the page. Signed-out visitors are sent
//! to the login page (the server refuses them anyway).

use super::header::AppHeader;
use super::sidebar::{Sidebar, SidebarMenu};
use crate::components::feedback::ErrorNotice;
use crate::context::{Auth, CustomerActions};
use crate::pages::customers::{
    delete::DeleteCustomerDialog, form::CustomerFormDialog, impersonation::ImpersonationDialog,
};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};

#[component]
pub fn Shell() -> impl IntoView {
    let auth = expect_context::<Auth>();
    provide_context(SidebarMenu::new());
    // No Suspense/Transition around this: Suspense walks its children several times while a
    // page renders on the server (Leptos re-invokes reactive closures to find every resource
    // read), and everything built in here, the router's Outlet included, would be built again on
    // each walk: the sidebar's and the page's resources fetched and embedded two or three times.
    // Outside a Suspense the server awaits this once; in the browser the session is already in
    // the page, so it hydrates at once.
    view! {
        {move || Suspend::new(async move {
            match auth.session.await {
                Ok(Some(info)) if info.impersonation.is_some() => {
                    EitherOf3::B(
                        // Viewing a customer account as its users do: the partner pages wait until the
                        // person returns (the server refuses their calls meanwhile anyway).
                        view! {
                            <Redirect path=format!(
                                "/portal/{}",
                                info.impersonation.as_ref().map_or(0, |a| a.customer_id),
                            ) />
                        },
                    )
                }
                Ok(Some(info)) => {
                    EitherOf3::A({
                        let paused = info.tenant.clone().filter(|t| t.disabled);
                        view! {
                            <AppHeader info=info.clone() />
                            <div class="layout">
                                <Sidebar info />
                                <main id="main" class="content">
                                    {paused
                                        .map(|t| {
                                            view! {
                                                <div class="notice notice-warning" role="status">
                                                    {format!(
                                                        "{} is disabled: its staff cannot sign in and its customers' portal access is paused until it is enabled again.",
                                                        t.name,
                                                    )}
                                                </div>
                                            }
                                        })}
                                    <PageNotice />
                                    <Outlet />
                                </main>
                                <CustomerFormDialog />
                                <DeleteCustomerDialog />
                                <ImpersonationDialog />
                            </div>
                        }
                    })
                }
                Ok(None) => EitherOf3::B(view! { <Redirect path="/login".to_string() /> }),
                Err(error) => {
                    EitherOf3::C(
                        view! {
                            <main class="content">
                                <UnavailableNotice error />
                            </main>
                        },
                    )
                }
            }
        })}
    }
}

/// The page in place of the app when the session could not be read: for an outage (503, the
/// database away, full or busy) a heading, what is wrong and a way to try again; otherwise the
/// error itself.
#[component]
fn UnavailableNotice(error: crate::error::AppError) -> impl IntoView {
    match error {
        crate::error::AppError::Unavailable(outage) => leptos::either::Either::Left(view! {
            <h1>"Clientele is unavailable for a moment"</h1>
            <div class="notice notice-error" role="alert">
                {outage.describe()}
                " Your data is safe: nothing was changed."
            </div>
            <p>
                <a class="button" href="">
                    "Try again"
                </a>
            </p>
        }),
        error => leptos::either::Either::Right(view! { <ErrorNotice error /> }),
    }
}

/// What the last customer change did ("Created …", "Deleted …"); it fades after a while.
#[component]
fn PageNotice() -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    Effect::new(move |_| {
        if let Some(text) = actions.notice.get() {
            let _ = set_timeout(
                move || {
                    // Only if no newer notice replaced it meanwhile.
                    if actions.notice.get_untracked().as_ref() == Some(&text) {
                        actions.notice.set(None);
                    }
                },
                std::time::Duration::from_secs(10),
            );
        }
    });
    view! {
        {move || {
            actions
                .notice
                .get()
                .map(|text| {
                    view! {
                        <div class="notice notice-success page-notice" role="status">
                            {text}
                            <button
                                type="button"
                                class="chip-remove"
                                aria-label="Dismiss"
                                on:click=move |_| actions.notice.set(None)
                            >
                                "×"
                            </button>
                        </div>
                    }
                })
        }}
    }
}

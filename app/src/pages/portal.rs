//! The customer portal (PRODUCT.md §1, §7): `/portal` lists the accounts a customer user
//! belongs to (and opens the only one directly); `/portal/:id` shows one account — its details,
//! its users (owners may invite members) and, for a network, its sub-accounts. The server
//! decides what is reachable (`authorize_account`); these pages only show it.

use crate::api::impersonation::end_impersonation;
use crate::api::portal::get_portal_account;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::context::Auth;
use crate::error::AppError;
use crate::format::format_datetime;
use crate::pages::consents::MyConsents;
use crate::pages::customer_users::invite::{InviteDialog, Inviting, ShownLink};
use crate::pages::erasure::DeleteMyAccount;
use crate::types::customer_users::{AccountRole, InviteOutcome, MembershipState};
use crate::types::impersonation::{time_left, ImpersonationInfo};
use crate::types::portal::PortalAccount;
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};
use leptos_router::hooks::use_params_map;

/// The portal's frame: who is signed in and a way out; no partner navigation. While a partner
/// user views the account ("Log in as"), a banner above everything says so, with the time left
/// and the way back.
#[component]
fn PortalFrame(children: Children) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let name = move || {
        Suspend::new(async move { auth.session.await.ok().flatten().map(|s| s.person_name).unwrap_or_default() })
    };
    let banner = move || {
        Suspend::new(async move {
            auth.session
                .await
                .ok()
                .flatten()
                .and_then(|s| s.impersonation)
                .map(|impersonation| view! { <ImpersonationBanner impersonation /> })
        })
    };
    // One's own account, but not while a partner user views the account as its users do.
    let account_link = move || {
        Suspend::new(async move {
            auth.session.await.ok().flatten().filter(|s| s.impersonation.is_none()).map(|_| {
                view! {
                    <a class="button button-quiet" href="/account">
                        "My account"
                    </a>
                }
            })
        })
    };
    view! {
        <Suspense>{banner}</Suspense>
        <header class="app-header">
            <a class="brand" href="/portal">
                "Clientele"
            </a>
            <div class="tenant">
                <span class="tenant-name">"Customer portal"</span>
            </div>
            <div class="who">
                <span class="person" data-testid="person-name">
                    <Suspense>{name}</Suspense>
                </span>
                <Suspense>{account_link}</Suspense>
                <ActionForm action=auth.logout>
                    <button type="submit" class="button button-quiet">
                        "Sign out"
                    </button>
                </ActionForm>
            </div>
        </header>
        <main id="main" class="content portal">
            {children()}
        </main>
    }
}

/// "Viewing <customer> as <partner user> — Return to Clientele", with the time left. At zero,
/// or on "Return", the view ends on the server and the partner user is back where they were.
#[component]
fn ImpersonationBanner(impersonation: ImpersonationInfo) -> impl IntoView {
    let left = RwSignal::new(impersonation.seconds_left);
    let leave = Action::new(|_: &()| end_impersonation());
    Effect::new(move |_| {
        if let Some(result) = leave.value().get() {
            // Even if the server could not be reached, the cookie may be gone: go back anyway.
            let path = result.unwrap_or_else(|_| "/customers".to_string());
            let _ = window().location().set_href(&path);
        }
    });
    // Effects run in the browser only: the countdown starts once the page is interactive.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval(
            move || {
                left.update(|s| *s -= 1);
                if left.get_untracked() == 0 {
                    leave.dispatch(());
                }
            },
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    view! {
        <div class="impersonation-banner" role="region" aria-label="Log in as">
            <span>
                "Viewing " <strong>{impersonation.customer_name.clone()}</strong> " as "
                <strong>{impersonation.partner_user.clone()}</strong> " — "
            </span>
            <button
                type="button"
                class="button button-small"
                disabled=move || leave.pending().get()
                on:click=move |_| {
                    leave.dispatch(());
                }
            >
                "Return to Clientele"
            </button>
            <span class="impersonation-time" data-testid="impersonation-time-left">
                {move || format!("{} left", time_left(left.get()))}
            </span>
        </div>
    }
}

#[component]
pub fn PortalHomePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match auth.session.await {
                    Ok(Some(info)) if info.accounts.len() == 1 => {
                        EitherOf3::A(view! { <Redirect path=format!("/portal/{}", info.accounts[0].customer_id) /> })
                    }
                    Ok(Some(info)) => {
                        EitherOf3::B(
                            view! {
                                <PortalFrame>
                                    <h1>"Your accounts"</h1>
                                    {if info.accounts.is_empty() {
                                        Either::Left(
                                            view! { <p class="empty">"You do not belong to any customer account."</p> },
                                        )
                                    } else {
                                        Either::Right(
                                            view! {
                                                <ul class="plain-list account-list">
                                                    {info
                                                        .accounts
                                                        .into_iter()
                                                        .map(|a| {
                                                            view! {
                                                                <li>
                                                                    <A href=format!("/portal/{}", a.customer_id)>{a.name}</A>
                                                                    <span class="muted">
                                                                        {format!(" — {} · {}", a.tenant_name, a.role.label())}
                                                                    </span>
                                                                </li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            },
                                        )
                                    }}
                                </PortalFrame>
                            },
                        )
                    }
                    _ => EitherOf3::C(view! { <Redirect path="/login" /> }),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn PortalAccountPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let invited = RwSignal::new(0u32);
    // Kept here, outside the account view, so they survive its reload after an invitation.
    let shown = RwSignal::new(None::<InviteOutcome>);
    let notice = RwSignal::new(None::<String>);
    let account = Resource::new(
        move || (id.get(), invited.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_portal_account(id).await,
                None => Err(AppError::not_found("no such customer account")),
            }
        },
    );
    view! {
        <PortalFrame>
            <Transition fallback=|| {
                view! { <Loading /> }
            }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(account) => Either::Left(view! { <Account account invited shown notice /> }),
                        Err(AppError::Unauthenticated) => Either::Right(view! { <Redirect path="/login" /> }.into_any()),
                        Err(error) => {
                            Either::Right(
                                view! {
                                    <h1>"Account"</h1>
                                    <ErrorNotice error />
                                    <p>
                                        <A href="/portal">"Your accounts"</A>
                                    </p>
                                }
                                    .into_any(),
                            )
                        }
                    }
                })}
            </Transition>
        </PortalFrame>
    }
}

#[component]
fn Account(
    account: PortalAccount,
    invited: RwSignal<u32>,
    shown: RwSignal<Option<InviteOutcome>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let inviting = RwSignal::new(false);
    let PortalAccount { customer_id, name, tenant_name, role, details, users, sub_accounts, network } = account;
    let is_owner = role == AccountRole::Owner;
    let dialog_name = name.clone();
    // A partner user viewing the account is not its person: their own account is not offered.
    let auth = expect_context::<Auth>();
    let viewing =
        Signal::derive(move || auth.session.get().and_then(Result::ok).flatten().and_then(|s| s.impersonation));
    let impersonation = Signal::derive(move || viewing.with(Option::is_some));
    // A partner user viewing the account invites only if their own role manages customer
    // users, and only by email (the server refuses anything else).
    let may_invite = Signal::derive(move || is_owner && viewing.with(|v| v.as_ref().is_none_or(|v| v.may_invite)));
    view! {
        {network
            .map(|n| {
                view! {
                    <nav class="breadcrumbs" aria-label="Breadcrumb">
                        <A href=format!("/portal/{}", n.id)>{n.name}</A>
                        " › "
                        {name.clone()}
                    </nav>
                }
            })}
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <span class="muted">{format!("with {tenant_name} · you are {}", role.label().to_lowercase())}</span>
        </div>
        {move || {
            notice
                .get()
                .map(|text| {
                    view! {
                        <div class="notice notice-success" role="status">
                            {text}
                        </div>
                    }
                })
        }}
        {move || {
            shown
                .get()
                .map(|outcome| view! { <ShownLink outcome on_dismiss=Callback::new(move |_| shown.set(None)) /> })
        }}
        <div class="detail-grid">
            <section class="card" aria-labelledby="portal-details">
                <h2 id="portal-details">"Details"</h2>
                {if details.is_empty() {
                    Either::Left(view! { <p class="muted">"No details on file."</p> })
                } else {
                    Either::Right(
                        view! {
                            <dl class="facts">
                                {details
                                    .into_iter()
                                    .map(|(label, value)| {
                                        view! {
                                            <dt>{label}</dt>
                                            <dd>{value}</dd>
                                        }
                                    })
                                    .collect_view()}
                            </dl>
                        },
                    )
                }}
            </section>
            <section class="card" aria-labelledby="portal-users">
                <div class="card-head">
                    <h2 id="portal-users">"Users"</h2>
                    <Show when=move || may_invite.get()>
                        <button type="button" class="button button-small" on:click=move |_| inviting.set(true)>
                            "Invite a member"
                        </button>
                    </Show>
                </div>
                <table class="data-table compact" aria-label="Users of this account">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Last sign-in"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .into_iter()
                            .map(|u| {
                                view! {
                                    <tr>
                                        <td>{u.full_name}</td>
                                        <td>{u.email}</td>
                                        <td>{u.role.label()}</td>
                                        <td>{u.state.label()}</td>
                                        <td>
                                            {if u.state == MembershipState::Active {
                                                u.last_login_at.map(format_datetime).unwrap_or_else(|| "—".into())
                                            } else {
                                                "—".into()
                                            }}
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </section>
            {(!sub_accounts.is_empty())
                .then(|| {
                    view! {
                        <section class="card" aria-labelledby="portal-subs">
                            <h2 id="portal-subs">"Sub-accounts"</h2>
                            <ul class="plain-list">
                                {sub_accounts
                                    .into_iter()
                                    .map(|s| {
                                        view! {
                                            <li>
                                                <A href=format!("/portal/{}", s.id)>{s.name}</A>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })}
        </div>
        // The person's own data: never offered to a partner user viewing the account.
        <Show when=move || !impersonation.get()>
            <div class="detail-grid">
                {is_owner.then(|| view! { <crate::pages::api_keys::AccountKeys customer_id /> })} <MyConsents />
                <DeleteMyAccount />
            </div>
        </Show>
        <Show when=move || inviting.get()>
            <InviteDialog
                inviting=Inviting::Portal(customer_id)
                customer_name=dialog_name.clone()
                link_hours=None
                email_only=impersonation.get_untracked()
                on_done=Callback::new(move |outcome: InviteOutcome| {
                    inviting.set(false);
                    invited.update(|n| *n += 1);
                    if outcome.link.is_some() {
                        shown.set(Some(outcome));
                    } else {
                        notice.set(Some(outcome.sent_notice()));
                    }
                })
                on_close=Callback::new(move |_| inviting.set(false))
            />
        </Show>
    }
}

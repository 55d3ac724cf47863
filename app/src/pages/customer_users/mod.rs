//! `/customers/:id/users`: who can sign in to this customer account (PRODUCT.md §7) — not the
//! partner's own users. Seen with `customers.view`; changed with `customer_users.manage`.
//! `?invite=1` opens the invitation dialog (the list's "Invite customer" lands here).

pub mod invite;

use crate::api::customer_users::{
    list_customer_users, RemoveCustomerUser, ResendInvitation, RevokeInvitation, SendPasswordReset,
};
use crate::components::feedback::{ErrorNotice, Loading};
use crate::context::Auth;
use crate::error::AppError;
use crate::format::{format_date, format_datetime};
use crate::pages::customer_users::invite::{InviteDialog, Inviting, ShownLink};
use crate::types::customer_users::{ActivationMethod, CustomerUser, CustomerUsers, InviteOutcome, MembershipState};
use crate::types::session::Permission;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A change to one user that needs a yes first.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    Revoke(CustomerUser),
    Remove(CustomerUser, bool),
}

#[component]
pub fn CustomerUsersPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let reset = ServerAction::<SendPasswordReset>::new();
    let remove = ServerAction::<RemoveCustomerUser>::new();
    let invited = RwSignal::new(0u32);
    let users = Resource::new(
        move || {
            (
                id.get(),
                invited.get(),
                resend.version().get(),
                revoke.version().get(),
                remove.version().get(),
                auth.switch_tenant.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => list_customer_users(id).await,
                None => Err(AppError::not_found("no such customer here")),
            }
        },
    );
    let inviting = RwSignal::new(query.with_untracked(|q| q.get("invite").is_some()));
    let shown = RwSignal::new(None::<InviteOutcome>);
    let notice = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(None::<Pending>);

    // What each action did, announced at the top.
    Effect::new(move |_| {
        if let Some(result) = resend.value().get() {
            match result {
                Ok(outcome) if outcome.link.is_some() => shown.set(Some(outcome)),
                Ok(outcome) if outcome.emailed_instead => notice.set(Some(outcome.sent_notice())),
                Ok(outcome) => notice.set(Some(format!("Sent a new invitation to {}.", outcome.email))),
                Err(e) => notice.set(Some(e.to_string())),
            }
        }
    });
    announce(reset.value(), notice, |()| "Sent a password reset email.".to_string());
    announce(revoke.value(), notice, |()| "Invitation revoked: its link no longer works.".to_string());
    announce(remove.value(), notice, |n| {
        format!("Access removed ({n} {}).", if n == 1 { "account" } else { "accounts" })
    });

    let can_manage = auth.can(Permission::CustomerUsersManage);
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(error) => {
                        Either::Right(
                            view! {
                                <div class="page-head">
                                    <h1>"Users"</h1>
                                </div>
                                <ErrorNotice error />
                                <p>
                                    <A href="/customers">"Back to customers"</A>
                                </p>
                            },
                        )
                    }
                    Ok(data) => {
                        let CustomerUsers { customer_id, customer_name, users, link_hours } = data;
                        let name_for_dialog = customer_name.clone();
                        let (crumb_name, title_name) = (customer_name.clone(), customer_name);
                        Either::Left(
                            view! {
                                <nav class="breadcrumbs" aria-label="Breadcrumb">
                                    <A href="/customers">"Customers"</A>
                                    " › "
                                    <A href=format!("/customers/{customer_id}")>{crumb_name}</A>
                                    " › Users"
                                </nav>
                                <div class="page-head">
                                    <h1>"Users of "{title_name}</h1>
                                    <div class="page-actions">
                                        <Show when=move || can_manage.get()>
                                            <button
                                                type="button"
                                                class="button button-primary"
                                                on:click=move |_| inviting.set(true)
                                            >
                                                "Invite user"
                                            </button>
                                        </Show>
                                    </div>
                                </div>
                                <p class="muted">
                                    "People who sign in to this customer account in the customer portal. A user of a network can also open its sub-accounts."
                                </p>
                                {move || {
                                    notice
                                        .get()
                                        .map(|text| {
                                            view! {
                                                <div class="notice notice-success" role="status">
                                                    {text}
                                                    <button
                                                        type="button"
                                                        class="chip-remove"
                                                        aria-label="Dismiss"
                                                        on:click=move |_| notice.set(None)
                                                    >
                                                        "×"
                                                    </button>
                                                </div>
                                            }
                                        })
                                }}
                                {move || {
                                    shown
                                        .get()
                                        .map(|outcome| {
                                            view! {
                                                <ShownLink outcome on_dismiss=Callback::new(move |_| shown.set(None)) />
                                            }
                                        })
                                }}
                                {move || {
                                    confirming
                                        .get()
                                        .map(|pending| {
                                            let (text, label) = match &pending {
                                                Pending::Revoke(u) => {
                                                    (
                                                        format!(
                                                            "Revoke the invitation of {}? Its link stops working.",
                                                            u.full_name,
                                                        ),
                                                        "Revoke invitation",
                                                    )
                                                }
                                                Pending::Remove(u, false) => {
                                                    (
                                                        format!(
                                                            "Remove {} from this account? Their other accounts stay.",
                                                            u.full_name,
                                                        ),
                                                        "Remove",
                                                    )
                                                }
                                                Pending::Remove(u, true) => {
                                                    (
                                                        format!(
                                                            "Unsubscribe {}? This removes them from all your customer accounts; if they use no other partner, their identity and password are deleted too.",
                                                            u.full_name,
                                                        ),
                                                        "Unsubscribe",
                                                    )
                                                }
                                            };
                                            view! {
                                                <div class="notice notice-warning" role="alert">
                                                    {text}
                                                    <div class="modal-actions">
                                                        <button
                                                            type="button"
                                                            class="button"
                                                            on:click=move |_| confirming.set(None)
                                                        >
                                                            "Cancel"
                                                        </button>
                                                        <button
                                                            type="button"
                                                            class="button button-danger"
                                                            on:click=move |_| {
                                                                match confirming.get_untracked() {
                                                                    Some(Pending::Revoke(u)) => {
                                                                        revoke
                                                                            .dispatch(RevokeInvitation {
                                                                                membership_id: u.membership_id,
                                                                            });
                                                                    }
                                                                    Some(Pending::Remove(u, all)) => {
                                                                        remove
                                                                            .dispatch(RemoveCustomerUser {
                                                                                membership_id: u.membership_id,
                                                                                whole_tenant: all,
                                                                            });
                                                                    }
                                                                    None => {}
                                                                }
                                                                confirming.set(None);
                                                            }
                                                        >
                                                            {label}
                                                        </button>
                                                    </div>
                                                </div>
                                            }
                                        })
                                }}
                                {if users.is_empty() {
                                    Either::Left(
                                        view! { <p class="empty">"Nobody can sign in to this account yet."</p> },
                                    )
                                } else {
                                    Either::Right(
                                        view! {
                                            <div class="table-scroll">
                                                <table class="data-table" aria-label="Customer users">
                                                    <thead>
                                                        <tr>
                                                            <th scope="col">"Name"</th>
                                                            <th scope="col">"Email"</th>
                                                            <th scope="col">"Role"</th>
                                                            <th scope="col">"State"</th>
                                                            <th scope="col">"Invited"</th>
                                                            <th scope="col">"Activated"</th>
                                                            <th scope="col">"Last sign-in"</th>
                                                            <th scope="col">"Consents"</th>
                                                            <th scope="col">
                                                                <span class="visually-hidden">"Actions"</span>
                                                            </th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {users
                                                            .into_iter()
                                                            .map(|u| {
                                                                view! {
                                                                    <UserRow user=u can_manage resend reset confirming />
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        },
                                    )
                                }}
                                <Show when=move || inviting.get()>
                                    <InviteDialog
                                        inviting=Inviting::Partner(customer_id)
                                        customer_name=name_for_dialog.clone()
                                        link_hours=Some(link_hours)
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
                            },
                        )
                    }
                }
            })}
        </Transition>
    }
}

/// Says at the top of the page what an action did, or why it failed.
fn announce<T: Clone + Send + Sync + 'static>(
    result: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    notice: RwSignal<Option<String>>,
    done: impl Fn(T) -> String + Send + Sync + 'static,
) {
    Effect::new(move |_| {
        if let Some(result) = result.get() {
            notice.set(Some(result.map_or_else(|e| e.to_string(), &done)));
        }
    });
}

/// The date in the table, the exact time on hover.
fn when(at: Option<i64>) -> impl IntoView {
    match at {
        Some(at) => view! { <time title=format_datetime(at)>{format_date(at)}</time> }.into_any(),
        None => "—".into_any(),
    }
}

#[component]
fn UserRow(
    user: CustomerUser,
    can_manage: Signal<bool>,
    resend: ServerAction<ResendInvitation>,
    reset: ServerAction<SendPasswordReset>,
    confirming: RwSignal<Option<Pending>>,
) -> impl IntoView {
    let badge = match user.state {
        MembershipState::Active => "badge badge-active",
        MembershipState::Invited => "badge badge-pending",
        MembershipState::Disabled => "badge badge-disabled",
    };
    let id = user.membership_id;
    let state_title = match (user.state, user.link_expires_at) {
        (MembershipState::Invited, Some(at)) => format!("Link expires {}", format_datetime(at)),
        (MembershipState::Invited, None) => "No live link: resend the invitation".to_string(),
        _ => String::new(),
    };
    let u = user.clone();
    view! {
        <tr data-testid="customer-user">
            <td>{user.full_name.clone()}</td>
            <td>{user.email.clone()}</td>
            <td>{user.role.label()}</td>
            <td class="wrap">
                <span class=badge title=state_title.clone()>
                    {user.state.label()}
                </span>
                {(!state_title.is_empty()).then(|| view! { <div class="muted small">{state_title.clone()}</div> })}
            </td>
            <td>{when(user.invited_at)}</td>
            <td>{when(user.activated_at)}</td>
            <td>{when(if user.state == MembershipState::Active { user.last_login_at } else { None })}</td>
            <td class="consents-cell">{consents_text(&user.consents)}</td>
            <td class="row-buttons">
                <Show when=move || {
                    can_manage.get()
                }>
                    {match u.state {
                        MembershipState::Invited => {
                            let (a, b) = (u.clone(), u.clone());
                            Either::Left(
                                view! {
                                    <button
                                        type="button"
                                        class="button button-small"
                                        aria-label=format!("Resend invitation to {}", a.full_name)
                                        on:click=move |_| {
                                            resend
                                                .dispatch(ResendInvitation {
                                                    membership_id: id,
                                                    method: ActivationMethod::SendEmail,
                                                });
                                        }
                                    >
                                        "Resend"
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-small"
                                        aria-label=format!("Show a new link for {}", a.full_name)
                                        on:click=move |_| {
                                            resend
                                                .dispatch(ResendInvitation {
                                                    membership_id: id,
                                                    method: ActivationMethod::DisplayLink,
                                                });
                                        }
                                    >
                                        "New link"
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-small button-danger"
                                        aria-label=format!("Revoke invitation of {}", b.full_name)
                                        on:click=move |_| confirming.set(Some(Pending::Revoke(b.clone())))
                                    >
                                        "Revoke"
                                    </button>
                                },
                            )
                        }
                        _ => {
                            let (a, b, c) = (u.clone(), u.clone(), u.clone());
                            Either::Right(
                                view! {
                                    <button
                                        type="button"
                                        class="button button-small"
                                        aria-label=format!("Reset password of {}", a.full_name)
                                        on:click=move |_| {
                                            reset
                                                .dispatch(SendPasswordReset {
                                                    membership_id: id,
                                                });
                                        }
                                    >
                                        "Reset password"
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-small button-danger"
                                        aria-label=format!("Remove {} from this account", b.full_name)
                                        on:click=move |_| confirming.set(Some(Pending::Remove(b.clone(), false)))
                                    >
                                        "Remove"
                                    </button>
                                    <button
                                        type="button"
                                        class="button button-small button-danger"
                                        aria-label=format!(
                                            "Unsubscribe {} from all your customer accounts",
                                            c.full_name,
                                        )
                                        on:click=move |_| confirming.set(Some(Pending::Remove(c.clone(), true)))
                                    >
                                        "Unsubscribe"
                                    </button>
                                },
                            )
                        }
                    }}
                </Show>
            </td>
        </tr>
    }
}

/// "Terms ✓ 2026-11-23 · Marketing ✗ 2026-11-24": each answer with its date, or "—".
fn consents_text(consents: &[crate::types::consents::Consent]) -> String {
    if consents.is_empty() {
        return "—".into();
    }
    consents
        .iter()
        .map(|c| format!("{} {} {}", c.kind.label(), if c.accepted { "✓" } else { "✗" }, format_date(c.at)))
        .collect::<Vec<_>>()
        .join(" · ")
}

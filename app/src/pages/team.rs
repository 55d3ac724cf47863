//! `/settings/team` (`partner_users.manage`): the partner's own staff — who they are, their
//! role and access — and inviting a colleague. The server decides what may change (never one's
//! own role or access, never more than one holds, always one Partner admin); the page offers
//! only what it would allow and says why when it refuses.

use crate::api::team::{list_team, ChangeColleagueRole, InviteColleague, RemoveColleague, SetColleagueAccess};
use crate::components::feedback::{field_error, ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::components::modal::{open_when_attached, ConfirmDialog};
use crate::context::Auth;
use crate::error::AppError;
use crate::format::{format_date, format_datetime};
use crate::pages::customer_users::invite::ShownLink;
use crate::types::customer_users::{ActivationMethod, InviteOutcome, MembershipState};
use crate::types::roles::RoleRef;
use crate::types::team::{StaffInvite, StaffMember};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn TeamPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let role = ServerAction::<ChangeColleagueRole>::new();
    let access = ServerAction::<SetColleagueAccess>::new();
    let remove = ServerAction::<RemoveColleague>::new();
    let invited = RwSignal::new(0u32);
    let team = Resource::new(
        move || {
            (
                invited.get(),
                role.version().get(),
                access.version().get(),
                remove.version().get(),
                auth.switch_tenant.version().get(),
            )
        },
        |_| list_team(),
    );
    let inviting = RwSignal::new(false);
    let shown = RwSignal::new(None::<InviteOutcome>);
    let notice = RwSignal::new(None::<Result<String, AppError>>);
    let confirming = RwSignal::new(None::<StaffMember>);
    announce(role.value(), notice, "Role changed.");
    announce(access.value(), notice, "Access changed.");
    announce(remove.value(), notice, "Removed from the team.");
    view! {
        <div class="page-head">
            <h1>"Team"</h1>
            <button type="button" class="button button-primary" on:click=move |_| inviting.set(true)>
                "Invite colleague"
            </button>
        </div>
        <p class="muted">
            "The people who work in this partner's Clientele, and the role each one holds. \
            You can give a colleague only a role whose permissions you hold yourself."
        </p>
        {move || {
            notice
                .get()
                .map(|result| match result {
                    Ok(text) => {
                        Either::Left(
                            view! {
                                <div class="notice notice-success" role="status">
                                    {text}
                                </div>
                            },
                        )
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                })
        }}
        {move || {
            shown
                .get()
                .map(|outcome| view! { <ShownLink outcome on_dismiss=Callback::new(move |_| shown.set(None)) /> })
        }}
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(team) => {
                        let roles = team.assignable.clone();
                        let rows = team
                            .members
                            .into_iter()
                            .map(|member| {
                                view! { <MemberRow member roles=roles.clone() role access confirming /> }
                            })
                            .collect_view();
                        let roles = team.assignable;
                        Either::Left(
                            view! {
                                <div class="table-scroll">
                                    <table class="data-table">
                                        <thead>
                                            <tr>
                                                <th scope="col">"Name"</th>
                                                <th scope="col">"Email"</th>
                                                <th scope="col">"Role"</th>
                                                <th scope="col">"State"</th>
                                                <th scope="col">"Last sign-in"</th>
                                                <th scope="col">
                                                    <span class="visually-hidden">"Actions"</span>
                                                </th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <Show when=move || inviting.get()>
                                    <InviteColleagueDialog
                                        roles=roles.clone()
                                        on_done=Callback::new(move |outcome: InviteOutcome| {
                                            inviting.set(false);
                                            invited.update(|n| *n += 1);
                                            if outcome.emailed_instead {
                                                notice.set(Some(Ok(outcome.sent_notice())));
                                            } else {
                                                notice
                                                    .set(Some(Ok(format!("Invitation for {} saved.", outcome.email))));
                                            }
                                            if outcome.link.is_some() {
                                                shown.set(Some(outcome));
                                            }
                                        })
                                        on_close=Callback::new(move |_| inviting.set(false))
                                    />
                                </Show>
                            },
                        )
                    }
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        {move || {
            confirming
                .get()
                .map(|member| {
                    let id = member.membership_id;
                    view! {
                        <ConfirmDialog
                            title=format!("Remove {} from the team?", member.name)
                            text="They lose every right in this partner at once. Their own account, and anything they have elsewhere, stays theirs."
                                .to_string()
                            confirm_label="Remove"
                            on_confirm=Callback::new(move |_| {
                                confirming.set(None);
                                remove
                                    .dispatch(RemoveColleague {
                                        membership_id: id,
                                    });
                            })
                            on_close=Callback::new(move |_| confirming.set(None))
                        />
                    }
                })
        }}
    }
}

/// Says at the top of the page what the latest change did, or why it was refused.
fn announce(
    result: impl Get<Value = Option<Result<(), AppError>>> + Send + Sync + 'static,
    notice: RwSignal<Option<Result<String, AppError>>>,
    done: &'static str,
) {
    Effect::new(move |_| {
        if let Some(result) = result.get() {
            notice.set(Some(result.map(|()| done.to_string())));
        }
    });
}

#[component]
fn MemberRow(
    member: StaffMember,
    roles: Vec<RoleRef>,
    role: ServerAction<ChangeColleagueRole>,
    access: ServerAction<SetColleagueAccess>,
    confirming: RwSignal<Option<StaffMember>>,
) -> impl IntoView {
    let id = member.membership_id;
    let badge = match member.state {
        MembershipState::Active => "badge badge-active",
        MembershipState::Invited => "badge badge-pending",
        MembershipState::Disabled => "badge badge-disabled",
    };
    // A colleague whose role the caller could not hand out holds more than the caller: the
    // server refuses changing them, so the page does not offer it.
    let manageable = !member.is_self && roles.iter().any(|r| r.id == member.role_id);
    let name = member.name.clone();
    let role_cell = if manageable {
        let current = member.role_id;
        Either::Left(view! {
            <select
                aria-label=format!("Role of {name}")
                on:change=move |ev| {
                    if let Ok(role_id) = event_target_value(&ev).parse::<i64>() {
                        role.dispatch(ChangeColleagueRole {
                            membership_id: id,
                            role_id,
                        });
                    }
                }
            >
                {roles
                    .into_iter()
                    .map(|r| {
                        view! {
                            <option value=r.id.to_string() selected=r.id == current>
                                {r.name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        })
    } else {
        Either::Right(view! {
            {member.role_name.clone()}
            {member.is_self.then(|| view! { <span class="muted">" (you)"</span> })}
        })
    };
    let m = member.clone();
    view! {
        <tr data-testid="team-member">
            <td class="name">{member.name.clone()}</td>
            <td>{member.email.clone()}</td>
            <td>{role_cell}</td>
            <td>
                <span class=badge>{member.state.label()}</span>
            </td>
            <td>
                {match member.last_sign_in {
                    Some(at) => view! { <time title=format_datetime(at)>{format_date(at)}</time> }.into_any(),
                    None => "—".into_any(),
                }}
            </td>
            <td class="row-buttons">
                {manageable
                    .then(|| {
                        let name = m.name.clone();
                        view! {
                            {match m.state {
                                MembershipState::Active => {
                                    Some(
                                        view! {
                                            <button
                                                type="button"
                                                class="button button-small"
                                                aria-label=format!("Disable {name}")
                                                on:click=move |_| {
                                                    access
                                                        .dispatch(SetColleagueAccess {
                                                            membership_id: id,
                                                            active: false,
                                                        });
                                                }
                                            >
                                                "Disable"
                                            </button>
                                        }
                                            .into_any(),
                                    )
                                }
                                MembershipState::Disabled => {
                                    Some(
                                        view! {
                                            <button
                                                type="button"
                                                class="button button-small"
                                                aria-label=format!("Enable {name}")
                                                on:click=move |_| {
                                                    access
                                                        .dispatch(SetColleagueAccess {
                                                            membership_id: id,
                                                            active: true,
                                                        });
                                                }
                                            >
                                                "Enable"
                                            </button>
                                        }
                                            .into_any(),
                                    )
                                }
                                MembershipState::Invited => None,
                            }}
                            <button
                                type="button"
                                class="button button-small button-danger"
                                aria-label=format!("Remove {} from the team", m.name)
                                on:click={
                                    let m = m.clone();
                                    move |_| confirming.set(Some(m.clone()))
                                }
                            >
                                "Remove"
                            </button>
                        }
                    })}
            </td>
        </tr>
    }
}

#[component]
fn InviteColleagueDialog(
    roles: Vec<RoleRef>,
    on_done: Callback<InviteOutcome>,
    on_close: Callback<()>,
) -> impl IntoView {
    let first_role = roles.first().map_or(0, |r| r.id);
    let input = RwSignal::new(StaffInvite { role_id: first_role, ..Default::default() });
    let invite = ServerAction::<InviteColleague>::new();
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(StaffInvite::validate));
    let server_error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    Effect::new(move |_| {
        if let Some(Ok(outcome)) = invite.value().get() {
            on_done.run(outcome);
        }
    });
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if client_errors.with(|e| e.is_empty()) && !invite.pending().get_untracked() {
            invite.dispatch(InviteColleague { input: input.get_untracked() });
        }
    };
    let method = move |m: ActivationMethod| input.with(|i| i.method == m);
    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="invite-colleague-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <form novalidate on:submit=submit>
                <h2 id="invite-colleague-title">"Invite a colleague"</h2>
                <Field id="colleague-name" label="Full name" required=true error=Signal::derive(error_for("full_name"))>
                    <input
                        id="colleague-name"
                        aria-describedby=described_by("colleague-name", false)
                        type="text"
                        autocomplete="off"
                        aria-required="true"
                        autofocus
                        prop:value=move || input.with(|i| i.full_name.clone())
                        on:input=move |ev| input.update(|i| i.full_name = event_target_value(&ev))
                    />
                </Field>
                <Field id="colleague-email" label="Email" required=true error=Signal::derive(error_for("email"))>
                    <input
                        id="colleague-email"
                        aria-describedby=described_by("colleague-email", false)
                        type="email"
                        autocomplete="off"
                        aria-required="true"
                        prop:value=move || input.with(|i| i.email.clone())
                        on:input=move |ev| input.update(|i| i.email = event_target_value(&ev))
                    />
                </Field>
                <Field id="colleague-role" label="Role" error=Signal::derive(error_for("role_id"))>
                    <select
                        id="colleague-role"
                        aria-describedby=described_by("colleague-role", false)
                        on:change=move |ev| {
                            let id = event_target_value(&ev).parse().unwrap_or(0);
                            input.update(|i| i.role_id = id);
                        }
                    >
                        {roles
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=r.id.to_string() selected=r.id == first_role>
                                        {r.name}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <fieldset class="choice-group">
                    <legend>"Activation"</legend>
                    <label>
                        <input
                            type="radio"
                            name="colleague-method"
                            prop:checked=move || method(ActivationMethod::SendEmail)
                            on:change=move |_| input.update(|i| i.method = ActivationMethod::SendEmail)
                        />
                        " Send activation email"
                    </label>
                    <label>
                        <input
                            type="radio"
                            name="colleague-method"
                            prop:checked=move || method(ActivationMethod::DisplayLink)
                            on:change=move |_| input.update(|i| i.method = ActivationMethod::DisplayLink)
                        />
                        " Display activation link (staff rights start once their email is confirmed)"
                    </label>
                    <p class="field-help">
                        "A link is displayed only for someone new to Clientele; an existing account gets the invitation by email."
                    </p>
                </fieldset>
                {move || {
                    server_error
                        .get()
                        .filter(|e| !matches!(e, AppError::Invalid(_)))
                        .map(|error| view! { <ErrorNotice error /> })
                }}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(())>
                        "Cancel"
                    </button>
                    <button type="submit" class="button button-primary" disabled=invite.pending()>
                        {move || if invite.pending().get() { "Inviting…" } else { "Invite" }}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

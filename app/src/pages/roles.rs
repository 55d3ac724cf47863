//! `/settings/roles` (`tenant.configure`): what each role may do, side by side — the four
//! built-in roles read-only, the partner's own custom roles to make, change and delete. A role
//! can hold only permissions the editor holds; one that colleagues hold cannot be deleted.

use crate::api::roles::{list_roles, DeleteRole, SaveRole};
use crate::components::feedback::{field_error, ErrorNotice, Loading};
use crate::components::field::{described_by, Field};
use crate::components::modal::open_when_attached;
use crate::context::Auth;
use crate::error::AppError;
use crate::types::roles::{RoleDraft, RoleInfo};
use crate::types::session::Permission;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn RolesPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let save = ServerAction::<SaveRole>::new();
    let delete = ServerAction::<DeleteRole>::new();
    let roles = Resource::new(
        move || (save.version().get(), delete.version().get(), auth.switch_tenant.version().get()),
        |_| list_roles(),
    );
    let editing = RwSignal::new(None::<RoleDraft>);
    let notice = RwSignal::new(None::<Result<String, AppError>>);
    Effect::new(move |_| {
        if let Some(Ok(role)) = save.value().get() {
            editing.set(None);
            notice.set(Some(Ok(format!("Role “{}” saved.", role.name))));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = delete.value().get() {
            notice.set(Some(result.map(|()| "Role deleted.".to_string())));
        }
    });
    view! {
        <div class="page-head">
            <h1>"Roles"</h1>
            <button
                type="button"
                class="button button-primary"
                on:click=move |_| {
                    save.value().set(None);
                    editing.set(Some(RoleDraft::default()));
                }
            >
                "New role"
            </button>
        </div>
        <p class="muted">
            "What each role may do in this partner. The built-in roles are the same for every partner; \
            make your own from any of the permissions you hold."
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
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match roles.await {
                    Ok(roles) => Either::Left(view! { <RoleMatrix roles editing delete /> }),
                    Err(error) => Either::Right(view! { <ErrorNotice error /> }),
                }
            })}
        </Transition>
        {move || {
            editing
                .get()
                .map(|draft| view! { <RoleDialog draft save on_close=Callback::new(move |_| editing.set(None)) /> })
        }}
    }
}

/// Permissions down the side, roles across the top: a tick where the role holds it.
#[component]
fn RoleMatrix(
    roles: Vec<RoleInfo>,
    editing: RwSignal<Option<RoleDraft>>,
    delete: ServerAction<DeleteRole>,
) -> impl IntoView {
    let header = roles
        .iter()
        .map(|r| {
            view! { <th scope="col">{r.name.clone()} {r.builtin.then(|| view! { <div class="muted small">"Built in"</div> })}</th> }
        })
        .collect_view();
    let rows = Permission::partner_side()
        .map(|p| {
            let cells = roles
                .iter()
                .map(|r| {
                    let held = r.permissions.contains(&p);
                    view! {
                        <td class="matrix-cell">
                            {if held { "✓" } else { "" }}
                            <span class="visually-hidden">{if held { "Yes" } else { "No" }}</span>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row" class="permission">
                        <code>{p.key()}</code>
                        <div class="muted small">{p.description()}</div>
                    </th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let footer = roles
        .iter()
        .map(|r| {
            let holders = if r.holders.is_empty() { "Nobody".to_string() } else { r.holders.join(", ") };
            let actions = (!r.builtin).then(|| {
                let (id, name) = (r.id, r.name.clone());
                let draft = RoleDraft { id: Some(r.id), name: r.name.clone(), permissions: r.permissions.clone() };
                view! {
                    <div class="row-buttons">
                        <button
                            type="button"
                            class="button button-small"
                            aria-label=format!("Edit role {name}")
                            on:click=move |_| editing.set(Some(draft.clone()))
                        >
                            "Edit"
                        </button>
                        <button
                            type="button"
                            class="button button-small button-danger"
                            aria-label=format!("Delete role {name}")
                            on:click=move |_| {
                                delete.dispatch(DeleteRole { id });
                            }
                        >
                            "Delete"
                        </button>
                    </div>
                }
            });
            view! {
                <td>
                    <div class="muted small">"Held by: "{holders}</div>
                    {actions}
                </td>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table role-matrix">
                <caption class="visually-hidden">"Permissions of each role"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Permission"</th>
                        {header}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Who holds it"</th>
                        {footer}
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

#[component]
fn RoleDialog(draft: RoleDraft, save: ServerAction<SaveRole>, on_close: Callback<()>) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let is_new = draft.id.is_none();
    let input = RwSignal::new(draft);
    let tried = RwSignal::new(false);
    let client_errors = Memo::new(move |_| input.with(RoleDraft::validate));
    let server_error = Signal::derive(move || save.value().get().and_then(Result::err));
    let error_for = move |key: &'static str| field_error(server_error, client_errors, tried, key);
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        if client_errors.with(|e| e.is_empty()) && !save.pending().get_untracked() {
            save.dispatch(SaveRole { draft: input.get_untracked() });
        }
    };
    let checkboxes = Permission::partner_side()
        .map(|p| {
            let held = auth.can(p);
            let id = format!("permission-{}", p.key().replace(['.', '_'], "-"));
            let help = format!("{id}-help");
            view! {
                <div class="checkbox-row">
                    <input
                        type="checkbox"
                        id=id.clone()
                        aria-describedby=help.clone()
                        disabled=move || !held.get()
                        prop:checked=move || input.with(|d| d.permissions.contains(&p))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            input
                                .update(|d| {
                                    d.permissions.retain(|x| *x != p);
                                    if on {
                                        d.permissions.push(p);
                                    }
                                });
                        }
                    />
                    <label for=id>
                        <code>{p.key()}</code>
                    </label>
                    <p id=help class="field-help">
                        {p.description()}
                        {move || (!held.get()).then_some(" You do not hold this permission, so you cannot grant it.")}
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <dialog
            node_ref=dialog
            class="modal modal-wide"
            aria-labelledby="role-title"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                on_close.run(());
            }
        >
            <form novalidate on:submit=submit>
                <h2 id="role-title">{if is_new { "New role" } else { "Edit role" }}</h2>
                <Field id="role-name" label="Name" required=true error=Signal::derive(error_for("name"))>
                    <input
                        id="role-name"
                        aria-describedby=described_by("role-name", false)
                        type="text"
                        autocomplete="off"
                        aria-required="true"
                        autofocus
                        prop:value=move || input.with(|d| d.name.clone())
                        on:input=move |ev| input.update(|d| d.name = event_target_value(&ev))
                    />
                </Field>
                <fieldset class="choice-group permissions">
                    <legend>"Permissions"</legend>
                    {checkboxes}
                    <p class="field-error" aria-live="polite">
                        {error_for("permissions")}
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
                    <button type="submit" class="button button-primary" disabled=save.pending()>
                        "Save role"
                    </button>
                </div>
            </form>
        </dialog>
    }
}

//! `/customers/:id`: everything about one customer — its fields, status with who and when,
//! created/updated, network and sub-accounts, users, recent audit entries — and its actions.

use crate::api::customer_records::get_customer_detail;
use crate::api::customers::SetCustomersStatus;
use crate::components::feedback::{ErrorNotice, Loading};
use crate::context::FormTarget;
use crate::context::{Auth, CustomerActions};
use crate::error::AppError;
use crate::format::format_date;
use crate::pages::audit::AuditTrail;
use crate::pages::customers::impersonation::LogInAsButton;
use crate::types::audit::AuditFilter;
use crate::types::customer_records::detail::{CustomerDetail, Stamp};
use crate::types::customers::{CustomerStatus, Selection};
use crate::types::field_config::{BuiltinField, CustomFieldKind};
use crate::types::session::Permission;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let actions = expect_context::<CustomerActions>();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let detail = Resource::new(
        move || (id.get(), auth.switch_tenant.version().get(), actions.version()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_customer_detail(id).await,
                None => Err(AppError::not_found("no such customer here")),
            }
        },
    );
    view! {
        <Transition fallback=|| {
            view! { <Loading /> }
        }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => Either::Left(view! { <Detail detail /> }),
                    Err(error) => {
                        Either::Right(
                            view! {
                                <div class="page-head">
                                    <h1>"Customer"</h1>
                                </div>
                                <ErrorNotice error />
                                <p>
                                    <A href="/customers">"Back to customers"</A>
                                </p>
                            },
                        )
                    }
                }
            })}
        </Transition>
    }
}

fn stamp_text(stamp: &Stamp) -> String {
    match &stamp.by {
        Some(by) => format!("{} by {by}", format_date(stamp.at)),
        None => format_date(stamp.at),
    }
}

#[component]
fn Detail(detail: CustomerDetail) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let actions = expect_context::<CustomerActions>();
    let (can_edit, can_disable, can_delete, can_export, can_read_audit) = (
        auth.can(Permission::CustomersEdit),
        auth.can(Permission::CustomersDisable),
        auth.can(Permission::CustomersDelete),
        auth.can(Permission::CustomersExport),
        auth.can(Permission::AuditView),
    );
    let id = detail.stored.id;
    let values = detail.stored.values.clone();
    let config = detail.config.clone();
    let name = values.name.clone();
    let status = detail.status;
    let badge = match status {
        CustomerStatus::Active => "badge badge-active",
        CustomerStatus::Disabled => "badge badge-disabled",
    };
    let confirming_status = RwSignal::new(false);
    // A network's sub-accounts keep their status; access through the network follows it.
    let network_effect = match (detail.sub_accounts.len(), status) {
        (0, _) => None,
        (n, CustomerStatus::Active) => Some(format!(
            " It is a network of {n} sub-account{}: they stay active, but people invited to the network lose access to them through it.",
            if n == 1 { "" } else { "s" }
        )),
        (n, CustomerStatus::Disabled) => Some(format!(
            " People invited to this network regain access to its {n} sub-account{}.",
            if n == 1 { "" } else { "s" }
        )),
    };
    let target = match status {
        CustomerStatus::Active => CustomerStatus::Disabled,
        CustomerStatus::Disabled => CustomerStatus::Active,
    };

    let mut rows: Vec<(String, String)> = Vec::new();
    for field in BuiltinField::ALL.into_iter().filter(|f| config.shows(*f)) {
        let value = match field {
            BuiltinField::Network => continue,
            BuiltinField::Country => {
                crate::countries::name(&values.country).map(str::to_string).unwrap_or_else(|| values.country.clone())
            }
            other => values.text(other).to_string(),
        };
        rows.push((field.label().to_string(), value));
    }
    for field in &config.custom_fields {
        let raw = values.custom.get(&field.key).cloned().unwrap_or_default();
        let shown = match (field.kind, raw.as_str()) {
            (CustomFieldKind::YesNo, "yes") => "Yes".to_string(),
            (CustomFieldKind::YesNo, "no") => "No".to_string(),
            _ => raw,
        };
        rows.push((field.label.clone(), shown));
    }

    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/customers">"Customers"</A>
            " › "
            {name.clone()}
        </nav>
        <div class="page-head">
            <h1>{name.clone()}</h1>
            <span class=badge data-testid="detail-status">
                {status.label()}
            </span>
            <div class="page-actions">
                <Show when=move || can_edit.get()>
                    <button
                        type="button"
                        class="button"
                        on:click=move |_| actions.editor.set(Some(FormTarget::Edit(id)))
                    >
                        "Edit"
                    </button>
                </Show>
                {(status == CustomerStatus::Active)
                    .then(|| view! { <LogInAsButton customer_id=id customer_name=name.clone() place="detail" /> })}
                <Show when=move || can_export.get()>
                    <a class="button" href=format!("/customers/{id}/export") download="">
                        "Export JSON"
                    </a>
                    <a class="button" href=format!("/customers/{id}/export?format=csv") download="">
                        "Export CSV"
                    </a>
                </Show>
                <Show when=move || can_disable.get()>
                    <button type="button" class="button" on:click=move |_| confirming_status.set(true)>
                        {match target {
                            CustomerStatus::Disabled => "Disable",
                            CustomerStatus::Active => "Activate",
                        }}
                    </button>
                </Show>
                <Show when=move || can_delete.get()>
                    <button type="button" class="button button-danger" on:click=move |_| actions.deleting.set(Some(id))>
                        "Delete"
                    </button>
                </Show>
            </div>
        </div>
        <Show when=move || confirming_status.get()>
            <div class="notice notice-warning" role="alert">
                {match target {
                    CustomerStatus::Disabled => {
                        "Disable this customer? Its users are signed out and cannot sign in until it is activated again. Nothing is deleted."
                    }
                    CustomerStatus::Active => "Activate this customer? Its users can sign in again.",
                }}
                {network_effect.clone()}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| confirming_status.set(false)>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="button button-primary"
                        on:click=move |_| {
                            actions
                                .set_status
                                .dispatch(SetCustomersStatus {
                                    selection: Selection::Ids(vec![id]),
                                    status: target,
                                });
                            confirming_status.set(false);
                        }
                    >
                        {match target {
                            CustomerStatus::Disabled => "Confirm disable",
                            CustomerStatus::Active => "Confirm activate",
                        }}
                    </button>
                </div>
            </div>
        </Show>
        <div class="detail-grid">
            <section class="card" aria-labelledby="details-heading">
                <h2 id="details-heading">"Details"</h2>
                <dl class="facts">
                    {rows
                        .into_iter()
                        .map(|(label, value)| {
                            view! {
                                <dt>{label}</dt>
                                <dd>
                                    {if value.is_empty() {
                                        Either::Left(view! { <span class="muted">"—"</span> })
                                    } else {
                                        Either::Right(value)
                                    }}
                                </dd>
                            }
                        })
                        .collect_view()}
                </dl>
            </section>
            <section class="card" aria-labelledby="record-heading">
                <h2 id="record-heading">"Record"</h2>
                <dl class="facts">
                    <dt>"Status"</dt>
                    <dd>
                        {status.label()}{detail.status_changed.as_ref().map(|s| format!(" since {}", stamp_text(s)))}
                    </dd>
                    <dt>"Created"</dt>
                    <dd>{stamp_text(&detail.created)}</dd>
                    <dt>"Updated"</dt>
                    <dd>{stamp_text(&detail.updated)}</dd>
                    <Show when=move || config.shows(BuiltinField::Network)>
                        <dt>"Network"</dt>
                        <dd>
                            {detail
                                .network
                                .clone()
                                .map(|n| Either::Left(view! { <A href=format!("/customers/{}", n.id)>{n.name}</A> }))
                                .unwrap_or_else(|| Either::Right(view! { <span class="muted">"—"</span> }))}
                        </dd>
                    </Show>
                </dl>
            </section>
            <section class="card" aria-labelledby="subs-heading">
                <h2 id="subs-heading">{format!("Sub-accounts ({})", detail.sub_account_count)}</h2>
                {if detail.sub_accounts.is_empty() {
                    Either::Left(view! { <p class="muted">"None."</p> })
                } else {
                    Either::Right(
                        view! {
                            <ul class="plain-list">
                                {detail
                                    .sub_accounts
                                    .clone()
                                    .into_iter()
                                    .map(|s| {
                                        view! {
                                            <li>
                                                <A href=format!("/customers/{}", s.id)>{s.name}</A>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            {(detail.sub_account_count > detail.sub_accounts.len() as u64)
                                .then(|| {
                                    view! {
                                        <p>
                                            <A href=format!(
                                                "/customers?network={id}",
                                            )>"All sub-accounts in the list"</A>
                                        </p>
                                    }
                                })}
                        },
                    )
                }}
            </section>
            <section class="card" aria-labelledby="users-heading">
                <div class="card-head">
                    <h2 id="users-heading">{format!("Users ({})", detail.user_count)}</h2>
                    <A href=format!("/customers/{id}/users")>"Manage users"</A>
                </div>
                {if detail.users.is_empty() {
                    Either::Left(view! { <p class="muted">"Nobody can sign in to this account yet."</p> })
                } else {
                    Either::Right(
                        view! {
                            <table class="data-table compact">
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Email"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"State"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {detail
                                        .users
                                        .clone()
                                        .into_iter()
                                        .map(|u| {
                                            view! {
                                                <tr>
                                                    <td>{u.name}</td>
                                                    <td>{u.email}</td>
                                                    <td>{u.role}</td>
                                                    <td>{u.state}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        },
                    )
                }}
            </section>
            <Show when=move || can_read_audit.get()>
                <section class="card wide" aria-labelledby="audit-heading">
                    <div class="section-head">
                        <h2 id="audit-heading">"Recent activity"</h2>
                        <a href=format!("/settings/audit?target=customer:{id}")>"Open in the audit log"</a>
                    </div>
                    <AuditTrail filter=Signal::stored(AuditFilter {
                        target: format!("customer:{id}"),
                        ..Default::default()
                    }) />
                </section>
            </Show>
        </div>
    }
}

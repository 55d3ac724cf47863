//! Bulk status changes: ticking rows (shift-click ranges, the whole page, every match),
//! the bar of bulk actions and the confirmation that shows a change's real effect first.

use crate::api::customers::{preview_customers_status, SetCustomersStatus};
use crate::components::feedback::ErrorNotice;
use crate::components::modal::open_when_attached;
use crate::context::CustomerActions;
use crate::context::FormTarget;
use crate::pages::customers::impersonation::LogInAsButton;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::customers::query::CustomerQuery;
use crate::types::customers::{CustomerCount, CustomerStatus, Selection};
use leptos::either::Either;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// The rows picked for a bulk change, and the change waiting for confirmation.
#[derive(Clone, Copy)]
pub(super) struct Picked {
    pub(super) ids: RwSignal<BTreeSet<i64>>,
    /// Every customer matching the current filter, not only the ticked rows.
    pub(super) all_matching: RwSignal<bool>,
    /// The ids of the rows on screen, in order (for shift-click ranges and "select page").
    pub(super) page_ids: StoredValue<Vec<i64>>,
    /// The rows on screen as (id, name, is a network), for the one-customer actions.
    pub(super) page_rows: StoredValue<Vec<(i64, NetworkChoice, bool)>>,
    /// The customer "Add network account" was asked for, while its dialog is open.
    pub(super) network_for: RwSignal<Option<NetworkChoice>>,
    pub(super) last_clicked: StoredValue<Option<usize>>,
    /// A change the user asked for, shown in the confirmation dialog.
    pub(super) pending: RwSignal<Option<(Selection, CustomerStatus)>>,
    /// What the last confirmed change did, announced above the list.
    pub(super) done: RwSignal<Option<String>>,
}

impl Picked {
    pub(super) fn new() -> Self {
        Self {
            ids: RwSignal::new(BTreeSet::new()),
            all_matching: RwSignal::new(false),
            page_ids: StoredValue::new(Vec::new()),
            page_rows: StoredValue::new(Vec::new()),
            network_for: RwSignal::new(None),
            last_clicked: StoredValue::new(None),
            pending: RwSignal::new(None),
            done: RwSignal::new(None),
        }
    }
    pub(super) fn clear(&self) {
        self.ids.set(BTreeSet::new());
        self.all_matching.set(false);
        self.last_clicked.set_value(None);
    }
    /// Ticks or unticks row `index`; with shift held, the whole range from the last click.
    pub(super) fn click(&self, index: usize, checked: bool, shift: bool) {
        let ids = self.page_ids.get_value();
        let from = match (shift, self.last_clicked.get_value()) {
            (true, Some(last)) => last.min(index),
            _ => index,
        };
        let to = match (shift, self.last_clicked.get_value()) {
            (true, Some(last)) => last.max(index),
            _ => index,
        };
        self.ids.update(|set| {
            for id in &ids[from..=to.min(ids.len().saturating_sub(1))] {
                if checked {
                    set.insert(*id);
                } else {
                    set.remove(id);
                }
            }
        });
        self.all_matching.set(false);
        self.last_clicked.set_value(Some(index));
    }
    /// The one ticked customer (not "all matching"), with whether it is a network.
    pub(super) fn single(&self) -> Option<(NetworkChoice, bool)> {
        if self.all_matching.get() {
            return None;
        }
        let id = self.ids.with(|ids| (ids.len() == 1).then(|| ids.iter().next().copied()).flatten())?;
        self.page_rows.with_value(|rows| rows.iter().find(|(row, _, _)| *row == id).map(|(_, c, n)| (c.clone(), *n)))
    }
    pub(super) fn selection(&self, query: &CustomerQuery) -> Selection {
        if self.all_matching.get_untracked() {
            Selection::Matching(query.first_page().to_query_string())
        } else {
            Selection::Ids(self.ids.get_untracked().into_iter().collect())
        }
    }
}

/// "N selected" with the bulk actions, shown while anything is selected.
#[component]
pub(super) fn BulkBar(
    picked: Picked,
    query: Memo<CustomerQuery>,
    count: Signal<Option<CustomerCount>>,
    page_size: u32,
    can_select: Signal<bool>,
    can_disable: Signal<bool>,
    can_invite: Signal<bool>,
    can_create: Signal<bool>,
    can_edit: Signal<bool>,
) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let navigate = leptos_router::hooks::use_navigate();
    let invite = Callback::new(move |id: i64| navigate(&format!("/customers/{id}/users?invite=1"), Default::default()));
    let single = move || picked.single();
    let total_text = move || count.get().map(|c| c.to_string()).unwrap_or_default();
    let more_than_page = move || match count.get() {
        Some(CustomerCount::Exact(n)) => n > page_size as u64,
        Some(CustomerCount::AtLeast(_)) => true,
        None => false,
    };
    let page_full = move || {
        let on_page = picked.page_ids.get_value();
        !on_page.is_empty() && picked.ids.with(|ids| on_page.iter().all(|id| ids.contains(id)))
    };
    let ask = move |status: CustomerStatus| {
        picked.done.set(None);
        picked.pending.set(Some((picked.selection(&query.get_untracked()), status)));
    };
    view! {
        <Show when=move || picked.done.get().is_some()>
            <div class="notice notice-success" role="status">
                {move || picked.done.get()}
            </div>
        </Show>
        <Show when=move || can_select.get() && (picked.all_matching.get() || !picked.ids.with(BTreeSet::is_empty))>
            <div class="bulk-bar" role="region" aria-label="Selection">
                <strong data-testid="selected-count">
                    {move || {
                        if picked.all_matching.get() {
                            format!("All {} selected", total_text())
                        } else {
                            format!("{} selected", picked.ids.with(BTreeSet::len))
                        }
                    }}
                </strong>
                <Show when=move || more_than_page() && page_full() && !picked.all_matching.get()>
                    <button type="button" class="button button-small" on:click=move |_| picked.all_matching.set(true)>
                        {move || format!("Select all {} matching", total_text())}
                    </button>
                </Show>
                <Show when=move || can_disable.get()>
                    <button type="button" class="button button-small" on:click=move |_| ask(CustomerStatus::Active)>
                        "Activate"
                    </button>
                    <button
                        type="button"
                        class="button button-small button-danger"
                        on:click=move |_| ask(CustomerStatus::Disabled)
                    >
                        "Disable"
                    </button>
                </Show>
                <Show when=move || can_invite.get() && single().is_some()>
                    <button
                        type="button"
                        class="button button-small"
                        on:click=move |_| {
                            if let Some((customer, _)) = single() {
                                invite.run(customer.id);
                            }
                        }
                    >
                        "Invite customer"
                    </button>
                </Show>
                {move || {
                    single()
                        .map(|(customer, _)| {
                            view! {
                                <LogInAsButton
                                    customer_id=customer.id
                                    customer_name=customer.name
                                    place="toolbar"
                                    small=true
                                />
                            }
                        })
                }}
                <Show when=move || can_create.get() && can_edit.get() && single().is_some()>
                    <button
                        type="button"
                        class="button button-small"
                        on:click=move |_| {
                            picked.network_for.set(single().map(|(customer, _)| customer));
                        }
                    >
                        "Add network account"
                    </button>
                </Show>
                <Show when=move || can_create.get() && single().is_some_and(|(_, is_network)| is_network)>
                    <button
                        type="button"
                        class="button button-small"
                        on:click=move |_| {
                            if let Some((network, _)) = single() {
                                actions.editor.set(Some(FormTarget::SubAccountOf(network)));
                            }
                        }
                    >
                        "Create sub-account"
                    </button>
                </Show>
                <button type="button" class="button button-small button-link" on:click=move |_| picked.clear()>
                    "Clear selection"
                </button>
            </div>
        </Show>
    }
}

/// Confirms a status change with its real effect (counted on the server) before applying it.
#[component]
pub(super) fn ConfirmStatus(picked: Picked) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let set_status = actions.set_status;
    let preview = Resource::new(
        move || picked.pending.get(),
        |pending| async move {
            match pending {
                Some((selection, status)) => Some(preview_customers_status(selection, status).await),
                None => None,
            }
        },
    );
    // When the change lands: close, say what happened, drop the selection.
    Effect::new(move |_| {
        // A failure stays in the dialog, which shows it.
        if let Some(Ok(change)) = set_status.value().get() {
            let verb = match change.status {
                CustomerStatus::Active => "Activated",
                CustomerStatus::Disabled => "Disabled",
            };
            let noun = if change.changed == 1 { "customer" } else { "customers" };
            picked.done.set(Some(format!("{verb} {} {noun}.", change.changed)));
            picked.pending.set(None);
            picked.clear();
        }
    });
    let close = move || {
        picked.pending.set(None);
        set_status.clear();
    };
    view! {
        <Show when=move || {
            picked.pending.get().is_some()
        }>
            {move || {
                let dialog = NodeRef::<leptos::html::Dialog>::new();
                open_when_attached(dialog);
                view! {
                    <dialog
                        node_ref=dialog
                        class="modal"
                        aria-labelledby="confirm-status-title"
                        on:cancel=move |ev: leptos::ev::Event| {
                            ev.prevent_default();
                            close();
                        }
                    >
                        <h2 id="confirm-status-title">
                            {move || match picked.pending.get().map(|(_, s)| s) {
                                Some(CustomerStatus::Disabled) => "Disable customers?",
                                _ => "Activate customers?",
                            }}
                        </h2>
                        <Transition fallback=|| {
                            view! { <p class="muted">"Counting…"</p> }
                        }>
                            {move || Suspend::new(async move {
                                match preview.await {
                                    Some(Ok(change)) => {
                                        Either::Left(
                                            view! { <p data-testid="confirm-effect">{effect_text(&change)}</p> },
                                        )
                                    }
                                    Some(Err(error)) => Either::Right(Some(view! { <ErrorNotice error /> })),
                                    None => Either::Right(None),
                                }
                            })}
                        </Transition>
                        {move || {
                            set_status.value().get().and_then(Result::err).map(|error| view! { <ErrorNotice error /> })
                        }}
                        <div class="modal-actions">
                            <button type="button" class="button" on:click=move |_| close()>
                                "Cancel"
                            </button>
                            // The dialog opens on the answer, so Enter confirms what it says.
                            <button
                                type="button"
                                class="button button-primary"
                                autofocus
                                disabled=move || set_status.pending().get()
                                on:click=move |_| {
                                    if let Some((selection, status)) = picked.pending.get_untracked() {
                                        set_status
                                            .dispatch(SetCustomersStatus {
                                                selection,
                                                status,
                                            });
                                    }
                                }
                            >
                                {move || match picked.pending.get().map(|(_, s)| s) {
                                    Some(CustomerStatus::Disabled) => "Disable",
                                    _ => "Activate",
                                }}
                            </button>
                        </div>
                    </dialog>
                }
            }}
        </Show>
    }
}

fn effect_text(change: &crate::types::customers::StatusChange) -> String {
    let plural = |n: u64| if n == 1 { "customer" } else { "customers" };
    let already = if change.unchanged > 0 {
        format!(" {} already {}.", change.unchanged, change.status.label().to_lowercase())
    } else {
        String::new()
    };
    let networks = match (change.status, change.sub_accounts) {
        (_, 0) => String::new(),
        (CustomerStatus::Disabled, 1) => " 1 active sub-account sits in a network being disabled: it stays active, but people invited to the network lose access to it through the network.".to_string(),
        (CustomerStatus::Disabled, n) => format!(" {n} active sub-accounts sit in networks being disabled: they stay active, but people invited to those networks lose access to them through the network."),
        (CustomerStatus::Active, 1) => " People invited to the network regain access to its 1 active sub-account.".to_string(),
        (CustomerStatus::Active, n) => format!(" People invited to these networks regain access to their {n} active sub-accounts."),
    };
    match change.status {
        CustomerStatus::Disabled => format!(
            "{} {} will be disabled: their users are signed out and cannot sign in until the account is activated again. Nothing is deleted.{networks}{already}",
            change.changed,
            plural(change.changed)
        ),
        CustomerStatus::Active => format!(
            "{} {} will be activated: their users can sign in again.{networks}{already}",
            change.changed,
            plural(change.changed)
        ),
    }
}

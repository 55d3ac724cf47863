//! Deleting a customer (PRODUCT.md §5): the dialog says what goes — for a network, every
//! sub-account below it, listed — asks for the name to be typed, and the server checks both again.

use crate::api::customer_records::{get_delete_impact, DeleteCustomer};
use crate::components::feedback::ErrorNotice;
use crate::components::field::{described_by, Field};
use crate::components::modal::{open_when_attached, ModalLoadFailed, ModalLoading};
use crate::context::CustomerActions;
use crate::error::AppError;
use crate::types::customer_records::detail::{DeleteImpact, DELETE_TREE_MAX};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

/// Mounted once in the shell; opens whenever `CustomerActions::deleting` is set.
#[component]
pub fn DeleteCustomerDialog() -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    view! { {move || actions.deleting.get().map(|id| view! { <DeleteLoader id /> })} }
}

#[component]
fn DeleteLoader(id: i64) -> impl IntoView {
    let impact = Resource::new(|| (), move |_| get_delete_impact(id));
    let actions = expect_context::<CustomerActions>();
    view! {
        <Suspense fallback=|| {
            view! { <ModalLoading /> }
        }>
            {move || Suspend::new(async move {
                match impact.await {
                    Ok(impact) => Either::Left(view! { <DeleteDialog impact /> }),
                    Err(error) => {
                        Either::Right(
                            view! {
                                <ModalLoadFailed
                                    error
                                    label="Cannot delete"
                                    on_close=Callback::new(move |_| actions.deleting.set(None))
                                />
                            },
                        )
                    }
                }
            })}
        </Suspense>
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[component]
fn DeleteDialog(impact: DeleteImpact) -> impl IntoView {
    let actions = expect_context::<CustomerActions>();
    let delete = ServerAction::<DeleteCustomer>::new();
    let typed = RwSignal::new(String::new());
    let name = impact.name.clone();
    let matches = {
        let name = name.clone();
        Memo::new(move |_| typed.with(|t| t.trim() == name))
    };
    let blocked = impact.too_many_sub_accounts;
    let (direct, direct_active) = impact.direct();
    let deeper = impact.sub_accounts.len() - direct;
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    open_when_attached(dialog);
    let close = move || actions.deleting.set(None);
    let navigate = use_navigate();
    let location = use_location();
    let deleted_name = name.clone();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            actions.notice.set(Some(format!("Deleted {deleted_name}.")));
            actions.changed.update(|n| *n += 1);
            // Its own page is gone with it.
            if location.pathname.get_untracked() == format!("/customers/{}", impact.id) {
                navigate("/customers", Default::default());
            }
            close();
        }
    });
    let id = impact.id;
    let title = format!("Delete {name}?");
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby="delete-title" on:close=move |_| close()>
            <form
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    if !blocked && matches.get_untracked() && !delete.pending().get_untracked() {
                        delete
                            .dispatch(DeleteCustomer {
                                id,
                                confirm_name: typed.get_untracked(),
                            });
                    }
                }
            >
                <h2 id="delete-title">{title}</h2>
                {if blocked {
                    Either::Left(
                        view! {
                            <div class="notice notice-warning" role="alert">
                                {format!(
                                    "{name} is a network with more than {DELETE_TREE_MAX} sub-accounts, too many to delete in one go. Move or delete some of them first.",
                                )}
                            </div>
                        },
                    )
                } else {
                    let subs = impact.sub_accounts.clone();
                    Either::Right(
                        view! {
                            <p>"This cannot be undone. Deleting removes:"</p>
                            <ul class="impact-list" data-testid="delete-impact">
                                <li>"the customer record with all its details"</li>
                                {(!subs.is_empty())
                                    .then(|| {
                                        view! {
                                            <li>
                                                {format!(
                                                    "{} directly in this network ({direct_active} active){}, deleted with it:",
                                                    plural(direct as u64, "sub-account", "sub-accounts"),
                                                    if deeper > 0 {
                                                        format!(
                                                            ", and {} inside those",
                                                            plural(deeper as u64, "more", "more"),
                                                        )
                                                    } else {
                                                        String::new()
                                                    },
                                                )} <ul class="impact-tree" aria-label="Sub-accounts deleted with it">
                                                    {subs
                                                        .into_iter()
                                                        .map(|s| {
                                                            view! {
                                                                <li class=format!(
                                                                    "depth-{}",
                                                                    s.depth.min(4),
                                                                )>{s.name}{(!s.active).then_some(" (disabled)")}</li>
                                                            }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            </li>
                                        }
                                    })}
                                <li>
                                    {format!(
                                        "{} (stored values of these customers)",
                                        plural(impact.custom_values, "custom field value", "custom field values"),
                                    )}
                                </li>
                                <li>
                                    {format!(
                                        "access for {}: they are signed out of these accounts at once",
                                        plural(impact.users, "user", "users"),
                                    )}
                                </li>
                            </ul>
                            <p class="muted">
                                "The audit log keeps a record of each deletion and of the values deleted."
                            </p>
                            <Field id="confirm-name" label=format!("Type \u{201c}{name}\u{201d} to confirm")>
                                <input
                                    id="confirm-name"
                                    aria-describedby=described_by("confirm-name", false)
                                    type="text"
                                    autocomplete="off"
                                    prop:value=typed
                                    on:input=move |ev| typed.set(event_target_value(&ev))
                                />
                            </Field>
                        },
                    )
                }}
                {move || {
                    delete
                        .value()
                        .get()
                        .and_then(Result::err)
                        .map(|error| {
                            let error = match error {
                                AppError::Invalid(map) => {
                                    AppError::bad_request(map.into_values().next().unwrap_or_default())
                                }
                                other => other,
                            };
                            view! { <ErrorNotice error /> }
                        })
                }}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    {(!blocked)
                        .then(|| {
                            view! {
                                <button
                                    type="submit"
                                    class="button button-danger"
                                    disabled=move || !matches.get() || delete.pending().get()
                                >
                                    "Delete permanently"
                                </button>
                            }
                        })}
                </div>
            </form>
        </dialog>
    }
}

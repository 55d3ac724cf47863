//! The customer form's Network field: a combobox (WAI-ARIA pattern) that searches every customer
//! of the tenant as the user types, through the list's own search, so it works the same with
//! ten customers or a million. The server checks the choice again (same tenant, no loops, depth).

use crate::api::customers::list_customers;
use crate::components::debounce::Debounce;
use crate::countries;
use crate::types::customer_records::detail::NetworkChoice;
use crate::types::customers::query::CustomerQuery;
use crate::types::customers::CustomerRow;
use leptos::prelude::*;

/// How many matches the picker shows; typing more narrows them.
const SHOWN: u32 = 25;

#[component]
pub fn NetworkPicker(
    /// The chosen network, if any; the picker sets it and the form may replace it (a conflict's
    /// "load theirs").
    selected: RwSignal<Option<NetworkChoice>>,
    /// The customer being edited: never offered as its own network.
    exclude: Option<i64>,
    on_pick: Callback<Option<NetworkChoice>>,
    required: bool,
    invalid: Signal<bool>,
) -> impl IntoView {
    let chosen_name = move || selected.with(|s| s.as_ref().map(|n| n.name.clone()).unwrap_or_default());
    // What the input shows: the chosen name, or what the user is typing while searching.
    let typed = RwSignal::new(None::<String>);
    let search = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(0usize);
    let debounce = Debounce::new();

    // An action rather than a resource: a resource read here would suspend the dialog's
    // Suspense and re-mount the whole form while a search runs.
    let fetch = Action::new_local(move |search: &String| {
        let search = search.clone();
        async move {
            let query = CustomerQuery { search: search.clone(), page_size: SHOWN, ..CustomerQuery::default() };
            let rows = list_customers(query.to_query_string())
                .await
                .map(|page| page.rows.into_iter().filter(|r| Some(r.id) != exclude).collect::<Vec<CustomerRow>>());
            (search, rows)
        }
    });
    let open_list = move || {
        if !open.get_untracked() {
            open.set(true);
            active.set(0);
            fetch.dispatch(search.get_untracked());
        }
    };
    // Only the answer to the latest search counts (answers may arrive out of order).
    let matches = Memo::new(move |_| {
        fetch.value().get().filter(|(for_search, _)| *for_search == search.get()).map(|(_, rows)| rows)
    });
    let options = move || matches.get().and_then(Result::ok).unwrap_or_default();

    let pick = move |choice: Option<NetworkChoice>| {
        on_pick.run(choice);
        typed.set(None);
        open.set(false);
    };
    let close = move || {
        // Leaving the field without choosing keeps the earlier choice; emptying it removes it.
        if typed.get_untracked().is_some_and(|t| t.trim().is_empty()) {
            pick(None);
        }
        typed.set(None);
        open.set(false);
    };
    let option_id = |id: i64| format!("network-option-{id}");

    view! {
        <div class="combobox">
            <input
                id="field-network"
                type="text"
                role="combobox"
                autocomplete="off"
                placeholder="Search customers…"
                aria-autocomplete="list"
                aria-controls="network-options"
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=move || {
                    open.get().then(|| options().get(active.get()).map(|r| option_id(r.id))).flatten()
                }
                aria-required=required.to_string()
                aria-invalid=move || invalid.get().to_string()
                aria-describedby="field-network-error"
                prop:value=move || typed.get().unwrap_or_else(chosen_name)
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    typed.set(Some(text.clone()));
                    active.set(0);
                    open_list();
                    debounce
                        .call(move || {
                            search.set(text.trim().to_string());
                            fetch.dispatch(text.trim().to_string());
                        });
                }
                on:focus=move |_| open_list()
                on:click=move |_| open_list()
                on:blur=move |_| close()
                on:keydown=move |ev| {
                    let count = options().len();
                    match ev.key().as_str() {
                        "ArrowDown" => {
                            ev.prevent_default();
                            if open.get_untracked() && count > 0 {
                                active.update(|a| *a = (*a + 1) % count);
                            } else {
                                open_list();
                            }
                        }
                        "ArrowUp" => {
                            ev.prevent_default();
                            if count > 0 {
                                active.update(|a| *a = (*a + count - 1) % count);
                            }
                        }
                        "Enter" if open.get_untracked() && count > 0 => {
                            ev.prevent_default();
                            if let Some(row) = options().get(active.get_untracked()) {
                                pick(
                                    Some(NetworkChoice {
                                        id: row.id,
                                        name: row.name.clone(),
                                    }),
                                );
                            }
                        }
                        "Escape" if open.get_untracked() => {
                            ev.prevent_default();
                            ev.stop_propagation();
                            typed.set(None);
                            open.set(false);
                        }
                        _ => {}
                    }
                }
            />
            <Show when=move || selected.with(Option::is_some)>
                <button
                    type="button"
                    class="combobox-clear"
                    aria-label="Remove from network"
                    title="Remove from network"
                    on:click=move |_| pick(None)
                >
                    "×"
                </button>
            </Show>
            <ul
                role="listbox"
                id="network-options"
                class="combobox-options"
                aria-label="Networks"
                hidden=move || !open.get()
            >
                {move || {
                    let rows = options();
                    if rows.is_empty() {
                        let note = match matches.get() {
                            Some(Err(e)) => e.to_string(),
                            Some(Ok(_)) if !fetch.pending().get() => "No customer matches.".to_string(),
                            _ => "Searching…".to_string(),
                        };
                        return view! { <li class="combobox-note">{note}</li> }.into_any();
                    }
                    rows.into_iter()
                        .enumerate()
                        .map(|(i, row)| {
                            let place = [
                                row.city.clone(),
                                row.country.as_deref().and_then(countries::name).map(str::to_string),
                            ]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(", ");
                            let choice = NetworkChoice {
                                id: row.id,
                                name: row.name.clone(),
                            };
                            let is_chosen = selected.with(|s| s.as_ref().map(|n| n.id)) == Some(row.id);
                            view! {
                                <li
                                    role="option"
                                    id=option_id(row.id)
                                    class="combobox-option"
                                    class:active=move || active.get() == i
                                    aria-selected=is_chosen.to_string()
                                    // Keep focus in the input, so its blur does not close the list first.
                                    on:mousedown=|ev| ev.prevent_default()
                                    on:click=move |_| pick(Some(choice.clone()))
                                >
                                    <span>{row.name}</span>
                                    <span class="muted">{place}</span>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
        </div>
    }
}

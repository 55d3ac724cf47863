//! What the add/edit dialog holds while someone types: the values, what the server said about
//! them, which fields were touched. One `Copy` value, so every handler in the view can hold it.

use crate::error::AppError;
use crate::types::customer_records::detail::{CustomerForm, NetworkChoice, StoredCustomer};
use crate::types::customer_records::{validate, CustomerInput};
use crate::types::field_config::{BuiltinField, CustomField, FieldConfig};
use crate::types::forms::FieldErrors;
use leptos::prelude::*;
use std::collections::BTreeSet;

#[derive(Clone, Copy)]
pub(super) struct FormState {
    pub config: StoredValue<FieldConfig>,
    pub values: RwSignal<CustomerInput>,
    /// The values the edit started from: what "unsaved changes" compares against.
    pub initial: RwSignal<CustomerInput>,
    /// The stored version an edit is based on (optimistic concurrency).
    pub version: RwSignal<i64>,
    /// The chosen network as the picker shows it.
    pub network: RwSignal<Option<NetworkChoice>>,
    touched: RwSignal<BTreeSet<String>>,
    /// A save was tried: every field's error shows, touched or not.
    submitted: RwSignal<bool>,
    server_errors: RwSignal<FieldErrors>,
    client_errors: Memo<FieldErrors>,
    /// The server warned of a duplicate name; the next save confirms it.
    pub duplicate_ok: RwSignal<bool>,
    pub duplicate_of: RwSignal<Option<String>>,
    /// Someone else saved this customer meanwhile: their version.
    pub conflict: RwSignal<Option<StoredCustomer>>,
    /// A failure that belongs to no field.
    pub failure: RwSignal<Option<AppError>>,
}

impl FormState {
    pub fn new(form: CustomerForm) -> Self {
        let CustomerForm { config, current } = form;
        let start = current.as_ref().map(|c| c.values.clone()).unwrap_or_default();
        let config = StoredValue::new(config);
        let values = RwSignal::new(start.clone());
        Self {
            config,
            values,
            initial: RwSignal::new(start),
            version: RwSignal::new(current.as_ref().map(|c| c.version).unwrap_or(0)),
            network: RwSignal::new(current.and_then(|c| c.network)),
            touched: RwSignal::new(BTreeSet::new()),
            submitted: RwSignal::new(false),
            server_errors: RwSignal::new(FieldErrors::new()),
            client_errors: Memo::new(move |_| config.with_value(|c| validate(&values.get().normalized(c), c))),
            duplicate_ok: RwSignal::new(false),
            duplicate_of: RwSignal::new(None),
            conflict: RwSignal::new(None),
            failure: RwSignal::new(None),
        }
    }

    /// A new customer that starts inside `network` ("Create sub-account"); not an unsaved change.
    pub fn start_inside(&self, network: NetworkChoice) {
        self.values.update(|v| v.parent_id = Some(network.id));
        self.initial.update(|v| v.parent_id = Some(network.id));
        self.network.set(Some(network));
    }

    /// Applies an edit to field `key`: the server's word about the old value no longer holds.
    pub fn set_field(&self, key: &str, edit: impl FnOnce(&mut CustomerInput)) {
        self.values.update(edit);
        self.server_errors.update(|e| {
            e.remove(key);
        });
    }

    /// The person is done with field `key` (it lost focus or a choice was made): its own
    /// errors may show from now on.
    pub fn touch(&self, key: &str) {
        self.touched.update(|t| {
            t.insert(key.to_string());
        });
    }

    /// A choice (select, picker) is made and done with in one step.
    pub fn pick(&self, key: &str, edit: impl FnOnce(&mut CustomerInput)) {
        self.set_field(key, edit);
        self.touch(key);
    }

    /// What to show next to a field: the server's word first, else ours once the field was
    /// touched or a save was tried.
    pub fn error_for(&self, key: String) -> Signal<Option<String>> {
        let Self { server_errors, submitted, touched, client_errors, .. } = *self;
        Signal::derive(move || {
            server_errors.with(|e| e.get(&key).cloned()).or_else(|| {
                (submitted.get() || touched.with(|t| t.contains(&key)))
                    .then(|| client_errors.with(|e| e.get(&key).cloned()))
                    .flatten()
            })
        })
    }

    pub fn dirty(&self) -> bool {
        self.values.with(|v| self.initial.with(|i| v != i))
    }

    /// Starts a save: every error may show now. Returns the browser's errors (the save does not
    /// go out while there are any).
    pub fn begin_submit(&self) -> FieldErrors {
        self.submitted.set(true);
        self.server_errors.set(FieldErrors::new());
        self.failure.set(None);
        self.client_errors.get_untracked()
    }

    /// Takes a save's answer: false when it failed, with the answer put where it belongs (next
    /// to its fields, as the duplicate-name warning, as the conflict panel, or at the top).
    pub fn on_result(&self, result: Result<(), AppError>) -> bool {
        match result {
            Ok(()) => return true,
            Err(AppError::Invalid(errors)) => {
                self.focus_first_error(&errors);
                self.server_errors.set(errors);
            }
            Err(AppError::DuplicateName(name)) => {
                self.duplicate_of.set(Some(name));
                self.duplicate_ok.set(true);
                focus_field("name");
            }
            Err(AppError::Conflict(current)) => self.conflict.set(Some(*current)),
            Err(other) => self.failure.set(Some(other)),
        }
        false
    }

    /// Moves focus to the first field in error, in the order the form shows them.
    pub fn focus_first_error(&self, errors: &FieldErrors) {
        let order = self.config.with_value(field_order);
        if let Some(key) = order.iter().find(|k| errors.contains_key(*k)) {
            focus_field(key);
        }
    }
}

/// Form fields in the order they appear (and are focused when invalid).
fn field_order(config: &FieldConfig) -> Vec<String> {
    let mut keys = vec!["name".to_string()];
    keys.extend(BuiltinField::ALL.into_iter().filter(|f| config.shows(*f)).map(|f| f.key().to_string()));
    keys.extend(config.custom_fields.iter().map(CustomField::form_key));
    keys
}

fn focus_field(key: &str) {
    if let Some(element) = document().get_element_by_id(&format!("field-{key}")) {
        crate::components::focus::focus(&element);
    }
}

//! One customer record (PRODUCT.md §4): what the add/edit form submits and the one set of
//! validation rules: the browser runs them as the user types, the server runs them again,
//! authoritatively, before anything is written. What the form, detail page and delete dialog
//! receive is in [`detail`].

pub mod detail;
#[cfg(test)]
mod tests;

use crate::types::field_config::{BuiltinField, CustomField, CustomFieldKind, FieldConfig, FieldMode};
use crate::types::forms::{check_email, clean_text, has_hidden_characters, parse_date, FieldErrors};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const NAME_MAX_CHARS: usize = 200;
pub const CUSTOM_TEXT_MAX_CHARS: usize = 500;

/// What the add/edit form submits: text as typed (trimmed before use), the network as an id,
/// custom values by field key. Yes/no values are "yes" or "no"; dates are YYYY-MM-DD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)] // an API caller may leave out the fields it does not use
pub struct CustomerInput {
    pub name: String,
    pub street: String,
    pub suite: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, upper case, or empty.
    pub country: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub contact_email: String,
    pub phone_primary: String,
    pub phone_secondary: String,
    pub parent_id: Option<i64>,
    pub workflow: String,
    pub custom: BTreeMap<String, String>,
}

impl CustomerInput {
    /// A built-in text field's value (the network is not text: see `parent_id`).
    pub fn text(&self, field: BuiltinField) -> &str {
        match field {
            BuiltinField::Street => &self.street,
            BuiltinField::Suite => &self.suite,
            BuiltinField::City => &self.city,
            BuiltinField::StateProvince => &self.state_province,
            BuiltinField::PostalCode => &self.postal_code,
            BuiltinField::Country => &self.country,
            BuiltinField::ContactFirstName => &self.contact_first_name,
            BuiltinField::ContactLastName => &self.contact_last_name,
            BuiltinField::ContactEmail => &self.contact_email,
            BuiltinField::PhonePrimary => &self.phone_primary,
            BuiltinField::PhoneSecondary => &self.phone_secondary,
            BuiltinField::Workflow => &self.workflow,
            BuiltinField::Network => "",
        }
    }

    pub fn text_mut(&mut self, field: BuiltinField) -> Option<&mut String> {
        Some(match field {
            BuiltinField::Street => &mut self.street,
            BuiltinField::Suite => &mut self.suite,
            BuiltinField::City => &mut self.city,
            BuiltinField::StateProvince => &mut self.state_province,
            BuiltinField::PostalCode => &mut self.postal_code,
            BuiltinField::Country => &mut self.country,
            BuiltinField::ContactFirstName => &mut self.contact_first_name,
            BuiltinField::ContactLastName => &mut self.contact_last_name,
            BuiltinField::ContactEmail => &mut self.contact_email,
            BuiltinField::PhonePrimary => &mut self.phone_primary,
            BuiltinField::PhoneSecondary => &mut self.phone_secondary,
            BuiltinField::Workflow => &mut self.workflow,
            BuiltinField::Network => return None,
        })
    }

    /// The same input with every text trimmed, the country upper-cased and custom values of
    /// fields the tenant does not have dropped: what is validated and stored.
    pub fn normalized(&self, config: &FieldConfig) -> Self {
        let mut out = self.clone();
        out.name = clean_text(&out.name);
        for field in BuiltinField::ALL {
            if let Some(value) = out.text_mut(field) {
                *value = clean_text(value);
            }
        }
        out.country = out.country.to_uppercase();
        out.contact_email = out.contact_email.to_lowercase();
        out.custom = config
            .custom_fields
            .iter()
            .filter_map(|f| self.custom.get(&f.key).map(|v| (f.key.clone(), clean_text(v))))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        out
    }
}

/// Checks a (normalized) input against the tenant's configuration. Hidden fields are not
/// checked: the server keeps their stored values whatever is sent.
pub fn validate(input: &CustomerInput, config: &FieldConfig) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if let Some(problem) = check_name(&input.name) {
        errors.insert("name".into(), problem);
    }
    for field in BuiltinField::ALL {
        let mode = config.mode(field);
        if mode == FieldMode::Hidden {
            continue;
        }
        let problem = if field == BuiltinField::Network {
            (mode == FieldMode::Required && input.parent_id.is_none()).then(|| "Choose a network.".to_string())
        } else {
            check_builtin(field, input.text(field), mode, input, config)
        };
        if let Some(problem) = problem {
            errors.insert(field.key().into(), problem);
        }
    }
    for field in &config.custom_fields {
        let value = input.custom.get(&field.key).map(String::as_str).unwrap_or("");
        if let Some(problem) = check_custom(field, value) {
            errors.insert(field.form_key(), problem);
        }
    }
    errors
}

/// A customer name's own rules (also for a network made with "Add network account").
pub fn check_name(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("Name is required.".into())
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some(format!("Name can be at most {NAME_MAX_CHARS} characters."))
    } else if has_hidden_characters(name) {
        Some("Name cannot contain control or invisible formatting characters.".into())
    } else {
        None
    }
}

fn check_builtin(
    field: BuiltinField,
    value: &str,
    mode: FieldMode,
    input: &CustomerInput,
    config: &FieldConfig,
) -> Option<String> {
    if value.is_empty() {
        return (mode == FieldMode::Required).then(|| format!("{} is required.", field.label()));
    }
    if value.chars().count() > field.max_chars() {
        return Some(format!("{} can be at most {} characters.", field.label(), field.max_chars()));
    }
    if has_hidden_characters(value) {
        return Some(format!("{} cannot contain control or invisible formatting characters.", field.label()));
    }
    match field {
        BuiltinField::Country if crate::countries::name(value).is_none() => {
            Some("Choose a country from the list.".into())
        }
        BuiltinField::ContactEmail => check_email(value),
        BuiltinField::PhonePrimary | BuiltinField::PhoneSecondary => check_phone(value, &input.country),
        BuiltinField::Workflow if !config.workflows.iter().any(|w| w == value) => {
            Some("Choose one of this partner's workflows.".into())
        }
        _ => None,
    }
}

/// Phone numbers: the browser checks the shape (digits, separators, a plausible length); the
/// server additionally checks the number against libphonenumber's metadata for its country.
/// That metadata is ~3 MB, so it stays out of the WASM bundle; a number with a good shape but
/// an impossible number plan is flagged when the form is saved.
fn check_phone(value: &str, country: &str) -> Option<String> {
    let international = value.starts_with('+');
    if !international && isocountry::CountryCode::for_alpha2(&country.to_ascii_uppercase()).is_err() {
        return Some("Start with + and the country code, or choose the customer's country first.".into());
    }
    let body = value.strip_prefix('+').unwrap_or(value);
    let shape_ok = body.chars().all(|c| c.is_ascii_digit() || " -.()/".contains(c));
    let digits = body.chars().filter(char::is_ascii_digit).count();
    if !shape_ok || !(6..=17).contains(&digits) {
        return Some("This is not a valid phone number.".into());
    }
    check_phone_number_plan(value, country)
}

#[cfg(feature = "ssr")]
fn check_phone_number_plan(value: &str, country: &str) -> Option<String> {
    let region = country.parse::<phonenumber::country::Id>().ok();
    match phonenumber::parse(region, value) {
        Ok(number) if phonenumber::is_valid(&number) => None,
        _ => Some("This is not a valid phone number.".into()),
    }
}

#[cfg(not(feature = "ssr"))]
fn check_phone_number_plan(_value: &str, _country: &str) -> Option<String> {
    None
}

/// Whether `value` is acceptable for a custom field (empty means unset).
pub fn check_custom(field: &CustomField, value: &str) -> Option<String> {
    if value.is_empty() {
        return field.required.then(|| format!("{} is required.", field.label));
    }
    match field.kind {
        CustomFieldKind::Text if value.chars().count() > CUSTOM_TEXT_MAX_CHARS => {
            Some(format!("{} can be at most {CUSTOM_TEXT_MAX_CHARS} characters.", field.label))
        }
        CustomFieldKind::Text if value.split('\n').any(has_hidden_characters) => {
            Some(format!("{} cannot contain control or invisible formatting characters.", field.label))
        }
        CustomFieldKind::Number if !value.parse::<f64>().is_ok_and(f64::is_finite) => {
            Some(format!("{} must be a number, like 42 or 3.5.", field.label))
        }
        CustomFieldKind::Date if parse_date(value).is_none() => {
            Some(format!("{} must be a date (YYYY-MM-DD).", field.label))
        }
        CustomFieldKind::YesNo if value != "yes" && value != "no" => {
            Some(format!("{}: choose yes or no.", field.label))
        }
        CustomFieldKind::Choice if !field.options.iter().any(|o| o == value) => {
            Some(format!("{}: choose one of the options.", field.label))
        }
        _ => None,
    }
}

/// The most levels a network tree may have (network → sub-account → …).
pub const MAX_NETWORK_LEVELS: usize = 4;

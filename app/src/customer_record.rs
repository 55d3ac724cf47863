//! A customer record as the add/edit form holds it, the tenant's field configuration, and the
//! one set of validation rules: the browser runs them as the user types, the server runs them
//! again, authoritatively, before anything is written.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The built-in fields a tenant may make required, optional or hidden. The name is always
/// required and is not among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BuiltinField {
    Street,
    Suite,
    City,
    StateProvince,
    PostalCode,
    Country,
    ContactFirstName,
    ContactLastName,
    ContactEmail,
    PhonePrimary,
    PhoneSecondary,
    Network,
    Workflow,
}

impl BuiltinField {
    pub const ALL: [BuiltinField; 13] = [
        Self::Street,
        Self::Suite,
        Self::City,
        Self::StateProvince,
        Self::PostalCode,
        Self::Country,
        Self::ContactFirstName,
        Self::ContactLastName,
        Self::ContactEmail,
        Self::PhonePrimary,
        Self::PhoneSecondary,
        Self::Network,
        Self::Workflow,
    ];

    /// The key stored in the tenant's configuration, used for form ids and error maps.
    pub fn key(self) -> &'static str {
        match self {
            Self::Street => "street",
            Self::Suite => "suite",
            Self::City => "city",
            Self::StateProvince => "state_province",
            Self::PostalCode => "postal_code",
            Self::Country => "country",
            Self::ContactFirstName => "contact_first_name",
            Self::ContactLastName => "contact_last_name",
            Self::ContactEmail => "contact_email",
            Self::PhonePrimary => "phone_primary",
            Self::PhoneSecondary => "phone_secondary",
            Self::Network => "network",
            Self::Workflow => "workflow",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Street => "Street",
            Self::Suite => "Suite / apt",
            Self::City => "City",
            Self::StateProvince => "State / province",
            Self::PostalCode => "Postal code",
            Self::Country => "Country",
            Self::ContactFirstName => "First name",
            Self::ContactLastName => "Last name",
            Self::ContactEmail => "Email",
            Self::PhonePrimary => "Primary phone",
            Self::PhoneSecondary => "Secondary phone",
            Self::Network => "Network",
            Self::Workflow => "Workflow",
        }
    }

    /// Longest accepted value, in characters (for text fields).
    pub fn max_chars(self) -> usize {
        match self {
            Self::Street => 200,
            Self::PostalCode => 20,
            Self::ContactEmail => 254,
            Self::PhonePrimary | Self::PhoneSecondary => 40,
            _ => 100,
        }
    }
}

pub const NAME_MAX_CHARS: usize = 200;
pub const CUSTOM_TEXT_MAX_CHARS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FieldMode {
    Required,
    #[default]
    Optional,
    Hidden,
}

impl FieldMode {
    pub const ALL: [FieldMode; 3] = [Self::Required, Self::Optional, Self::Hidden];
    pub fn key(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Hidden => "hidden",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Required => "Required",
            Self::Optional => "Optional",
            Self::Hidden => "Hidden",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomFieldKind {
    Text,
    Number,
    Date,
    YesNo,
    Choice,
}

impl CustomFieldKind {
    pub const ALL: [CustomFieldKind; 5] = [Self::Text, Self::Number, Self::Date, Self::YesNo, Self::Choice];
    pub fn key(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::YesNo => "yes_no",
            Self::Choice => "choice",
        }
    }
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "Text",
            Self::Number => "Number",
            Self::Date => "Date",
            Self::YesNo => "Yes / no",
            Self::Choice => "Choice",
        }
    }
}

/// A tenant-defined field on every customer of that tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    pub id: i64,
    /// Stable identifier (lower-case letters, digits, underscores), unique in the tenant.
    pub key: String,
    pub label: String,
    pub kind: CustomFieldKind,
    pub required: bool,
    pub help_text: String,
    /// The allowed values of a `Choice` field, in order.
    pub options: Vec<String>,
}

impl CustomField {
    /// The key its value and error go under in a form: custom keys never clash with built-ins.
    pub fn form_key(&self) -> String {
        format!("custom.{}", self.key)
    }
}

/// How one tenant's customer form looks: each built-in field's mode, the custom fields in
/// order, and the workflows a customer may be in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FieldConfig {
    /// Fields not listed are optional.
    pub modes: BTreeMap<BuiltinField, FieldMode>,
    pub custom_fields: Vec<CustomField>,
    pub workflows: Vec<String>,
}

impl FieldConfig {
    pub fn mode(&self, field: BuiltinField) -> FieldMode {
        self.modes.get(&field).copied().unwrap_or_default()
    }
    pub fn shows(&self, field: BuiltinField) -> bool {
        self.mode(field) != FieldMode::Hidden
    }
}

/// What the customer list can filter by beyond its fixed filters: the tenant's workflows and
/// its choice and yes/no custom fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ListFilters {
    pub workflows: Vec<String>,
    pub fields: Vec<CustomField>,
}

impl ListFilters {
    pub fn from_config(config: FieldConfig) -> Self {
        let fields = config
            .custom_fields
            .into_iter()
            .filter(|f| matches!(f.kind, CustomFieldKind::Choice | CustomFieldKind::YesNo))
            .collect();
        Self {
            workflows: if config.modes.get(&BuiltinField::Workflow) == Some(&FieldMode::Hidden) {
                Vec::new()
            } else {
                config.workflows
            },
            fields,
        }
    }

    /// The values a field can be filtered by, as (value, label).
    pub fn choices(field: &CustomField) -> Vec<(String, String)> {
        match field.kind {
            CustomFieldKind::YesNo => vec![("yes".into(), "Yes".into()), ("no".into(), "No".into())],
            _ => field.options.iter().map(|o| (o.clone(), o.clone())).collect(),
        }
    }
}

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
        out.name = out.name.trim().to_string();
        for field in BuiltinField::ALL {
            if let Some(value) = out.text_mut(field) {
                *value = value.trim().to_string();
            }
        }
        out.country = out.country.to_uppercase();
        out.contact_email = out.contact_email.to_lowercase();
        out.custom = config
            .custom_fields
            .iter()
            .filter_map(|f| self.custom.get(&f.key).map(|v| (f.key.clone(), v.trim().to_string())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        out
    }
}

/// Field key → what is wrong with it, in the user's words. Custom fields use `custom.<key>`.
pub type FieldErrors = BTreeMap<String, String>;

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

fn check_name(name: &str) -> Option<String> {
    if name.is_empty() {
        Some("Name is required.".into())
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some(format!("Name can be at most {NAME_MAX_CHARS} characters."))
    } else if name.chars().any(char::is_control) {
        Some("Name cannot contain control characters.".into())
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
    if value.chars().any(char::is_control) {
        return Some(format!("{} cannot contain control characters.", field.label()));
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

/// RFC 5322 syntax (the `email_address` crate), and a domain with a dot: an address people
/// can actually write to.
pub fn check_email(value: &str) -> Option<String> {
    let valid = email_address::EmailAddress::parse_with_options(
        value,
        email_address::Options::default().without_display_text(),
    )
    .ok()
    .is_some_and(|a| a.domain().contains('.') && !a.domain().starts_with('['));
    (!valid).then(|| "Enter an email address like name@example.com.".into())
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
        CustomFieldKind::Text if value.chars().any(|c| c.is_control() && c != '\n') => {
            Some(format!("{} cannot contain control characters.", field.label))
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

fn parse_date(value: &str) -> Option<time::Date> {
    time::Date::parse(value, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// What the add/edit form needs: the configuration and, when editing, the stored values with
/// their version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub config: FieldConfig,
    pub current: Option<StoredCustomer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkChoice {
    pub id: i64,
    pub name: String,
}

/// A customer's editable values as stored, with the version an edit must carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCustomer {
    pub id: i64,
    pub version: i64,
    pub values: CustomerInput,
    /// The network `values.parent_id` names, for the form's network picker (which searches
    /// every customer as the user types for other choices).
    pub network: Option<NetworkChoice>,
}

/// When something happened and who did it (None when that person no longer exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// UTC Unix seconds.
    pub at: i64,
    pub by: Option<String>,
}

/// Everything the detail page shows about one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerDetail {
    pub stored: StoredCustomer,
    pub config: FieldConfig,
    pub status: crate::model::CustomerStatus,
    pub status_changed: Option<Stamp>,
    pub created: Stamp,
    pub updated: Stamp,
    pub network: Option<NetworkChoice>,
    /// The first sub-accounts by name, and how many there are in all.
    pub sub_accounts: Vec<NetworkChoice>,
    pub sub_account_count: u64,
    /// The people who can sign in to this account (first ones), and how many in all.
    pub users: Vec<AccountUser>,
    pub user_count: u64,
    /// Recent audit entries about this customer; None when the viewer lacks `audit.view`.
    pub audit: Option<Vec<AuditLine>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUser {
    pub name: String,
    pub email: String,
    /// "owner" or "member".
    pub role: String,
    /// "invited", "active" or "disabled".
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// field, before, after (as JSON text).
    pub changes: Vec<(String, String, String)>,
}

/// What deleting a customer takes with it, for the confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteImpact {
    pub id: i64,
    pub name: String,
    /// Sub-accounts block the delete until they are moved or deleted.
    pub sub_accounts: u64,
    /// People whose access to this account ends.
    pub users: u64,
    pub custom_values: u64,
}

/// The most levels a network tree may have (network → sub-account → …).
pub const MAX_NETWORK_LEVELS: usize = 4;

/// Turns a label into a custom field key: "Contract end" → "contract_end".
pub fn key_from_label(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('_') && !key.is_empty() {
            key.push('_');
        }
    }
    key.trim_end_matches('_').chars().take(40).collect()
}

/// Whether `key` may name a custom field.
pub fn check_custom_key(key: &str) -> Option<String> {
    let well_formed = !key.is_empty()
        && key.len() <= 40
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !well_formed {
        Some("Use 1–40 lower-case letters, digits or underscores, starting with a letter.".into())
    } else {
        None
    }
}

/// A custom field as the settings page submits it (`id` None: a new field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CustomFieldDraft {
    pub id: Option<i64>,
    pub key: String,
    pub label: String,
    pub kind: Option<CustomFieldKind>,
    pub required: bool,
    pub help_text: String,
    /// Choice options, one per entry.
    pub options: Vec<String>,
}

pub const LABEL_MAX_CHARS: usize = 80;
pub const HELP_MAX_CHARS: usize = 300;
pub const MAX_CUSTOM_FIELDS: usize = 50;
pub const WORKFLOW_MAX_CHARS: usize = 60;
pub const MAX_WORKFLOWS: usize = 50;

impl CustomFieldDraft {
    /// Trimmed, with the key derived from the label when left empty and blank options dropped.
    pub fn normalized(&self) -> Self {
        let label = self.label.trim().to_string();
        let key = match self.key.trim() {
            "" => key_from_label(&label),
            key => key.to_string(),
        };
        let options = self.options.iter().map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect();
        Self { label, key, help_text: self.help_text.trim().to_string(), options, ..self.clone() }
    }
}

/// Checks a (normalized) custom field definition; keys are unique per tenant (checked by the server).
pub fn validate_custom_field(draft: &CustomFieldDraft) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if draft.label.is_empty() {
        errors.insert("label".into(), "Label is required.".into());
    } else if draft.label.chars().count() > LABEL_MAX_CHARS {
        errors.insert("label".into(), format!("Label can be at most {LABEL_MAX_CHARS} characters."));
    }
    if let Some(problem) = check_custom_key(&draft.key) {
        errors.insert("key".into(), problem);
    }
    if draft.kind.is_none() {
        errors.insert("kind".into(), "Choose a type.".into());
    }
    if draft.help_text.chars().count() > HELP_MAX_CHARS {
        errors.insert("help_text".into(), format!("Help text can be at most {HELP_MAX_CHARS} characters."));
    }
    if draft.kind == Some(CustomFieldKind::Choice) {
        let mut seen = std::collections::BTreeSet::new();
        if draft.options.is_empty() {
            errors.insert("options".into(), "A choice field needs at least one option.".into());
        } else if draft.options.iter().any(|o| o.chars().count() > LABEL_MAX_CHARS) {
            errors.insert("options".into(), format!("Options can be at most {LABEL_MAX_CHARS} characters each."));
        } else if !draft.options.iter().all(|o| seen.insert(o.to_lowercase())) {
            errors.insert("options".into(), "Each option can appear only once.".into());
        }
    }
    errors
}

/// Checks a tenant's list of workflows (trimmed, in order).
pub fn validate_workflows(workflows: &[String]) -> Option<String> {
    let mut seen = std::collections::BTreeSet::new();
    if workflows.len() > MAX_WORKFLOWS {
        Some(format!("At most {MAX_WORKFLOWS} workflows."))
    } else if workflows.iter().any(|w| w.is_empty() || w.chars().count() > WORKFLOW_MAX_CHARS) {
        Some(format!("Each workflow needs a name of 1 to {WORKFLOW_MAX_CHARS} characters."))
    } else if !workflows.iter().all(|w| seen.insert(w.to_lowercase())) {
        Some("Each workflow can appear only once.".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> FieldConfig {
        FieldConfig {
            modes: [(BuiltinField::City, FieldMode::Required), (BuiltinField::Suite, FieldMode::Hidden)].into(),
            custom_fields: vec![
                CustomField {
                    id: 1,
                    key: "seats".into(),
                    label: "Seats".into(),
                    kind: CustomFieldKind::Number,
                    required: true,
                    help_text: String::new(),
                    options: vec![],
                },
                CustomField {
                    id: 2,
                    key: "renewal".into(),
                    label: "Renewal".into(),
                    kind: CustomFieldKind::Date,
                    required: false,
                    help_text: String::new(),
                    options: vec![],
                },
                CustomField {
                    id: 3,
                    key: "vip".into(),
                    label: "VIP".into(),
                    kind: CustomFieldKind::YesNo,
                    required: false,
                    help_text: String::new(),
                    options: vec![],
                },
                CustomField {
                    id: 4,
                    key: "tier".into(),
                    label: "Tier".into(),
                    kind: CustomFieldKind::Choice,
                    required: false,
                    help_text: String::new(),
                    options: vec!["Gold".into(), "Silver".into()],
                },
                CustomField {
                    id: 5,
                    key: "notes".into(),
                    label: "Notes".into(),
                    kind: CustomFieldKind::Text,
                    required: false,
                    help_text: String::new(),
                    options: vec![],
                },
            ],
            workflows: vec!["Onboarding".into(), "Live".into()],
        }
    }

    fn valid() -> CustomerInput {
        CustomerInput {
            name: "Alpha Bakery".into(),
            city: "Berlin".into(),
            country: "DE".into(),
            custom: [("seats".to_string(), "12".to_string())].into(),
            ..Default::default()
        }
    }

    /// The number-plan check runs only on the server (see `check_phone`).
    const PHONE_PLAN_CHECKED: bool = cfg!(feature = "ssr");

    /// (what changes, the field that must then be in error, or None for "still valid").
    #[test]
    fn good_and_bad_inputs() {
        type Edit = fn(&mut CustomerInput);
        let cases: Vec<(&str, Edit, Option<&str>)> = vec![
            ("valid as is", |_| {}, None),
            ("empty name", |i| i.name.clear(), Some("name")),
            ("name of 201 characters", |i| i.name = "x".repeat(201), Some("name")),
            ("name of 200 characters", |i| i.name = "x".repeat(200), None),
            ("name with a control character", |i| i.name = "A\u{7}B".into(), Some("name")),
            ("required city missing", |i| i.city.clear(), Some("city")),
            ("hidden suite too long is not checked", |i| i.suite = "x".repeat(500), None),
            ("street too long", |i| i.street = "x".repeat(201), Some("street")),
            ("unknown country", |i| i.country = "XX".into(), Some("country")),
            ("lower-case country, upper-cased", |i| i.country = "de".into(), None),
            ("good email", |i| i.contact_email = "anna.schmidt@example.de".into(), None),
            ("email without @", |i| i.contact_email = "anna.example.de".into(), Some("contact_email")),
            ("email without a dotted domain", |i| i.contact_email = "anna@localhost".into(), Some("contact_email")),
            ("email with two @", |i| i.contact_email = "a@b@example.com".into(), Some("contact_email")),
            ("national phone for the country", |i| i.phone_primary = "030 1234567".into(), None),
            ("international phone", |i| i.phone_secondary = "+44 20 7946 0958".into(), None),
            ("letters as a phone", |i| i.phone_primary = "call me".into(), Some("phone_primary")),
            ("too short a phone", |i| i.phone_primary = "+49 12".into(), Some("phone_primary")),
            (
                "national phone without a country",
                |i| {
                    i.country.clear();
                    i.phone_primary = "030 1234567".into()
                },
                Some("phone_primary"),
            ),
            (
                "a phone with a good shape but no such number plan",
                |i| i.phone_primary = "+44 1 2345".into(),
                PHONE_PLAN_CHECKED.then_some("phone_primary"),
            ),
            ("known workflow", |i| i.workflow = "Live".into(), None),
            ("unknown workflow", |i| i.workflow = "Dead".into(), Some("workflow")),
            (
                "required custom missing",
                |i| {
                    i.custom.remove("seats");
                },
                Some("custom.seats"),
            ),
            (
                "number with a decimal",
                |i| {
                    i.custom.insert("seats".into(), "3.5".into());
                },
                None,
            ),
            (
                "not a number",
                |i| {
                    i.custom.insert("seats".into(), "twelve".into());
                },
                Some("custom.seats"),
            ),
            (
                "infinite number",
                |i| {
                    i.custom.insert("seats".into(), "inf".into());
                },
                Some("custom.seats"),
            ),
            (
                "good date",
                |i| {
                    i.custom.insert("renewal".into(), "2027-02-28".into());
                },
                None,
            ),
            (
                "impossible date",
                |i| {
                    i.custom.insert("renewal".into(), "2027-02-30".into());
                },
                Some("custom.renewal"),
            ),
            (
                "date in another format",
                |i| {
                    i.custom.insert("renewal".into(), "28.02.2027".into());
                },
                Some("custom.renewal"),
            ),
            (
                "yes",
                |i| {
                    i.custom.insert("vip".into(), "yes".into());
                },
                None,
            ),
            (
                "maybe",
                |i| {
                    i.custom.insert("vip".into(), "maybe".into());
                },
                Some("custom.vip"),
            ),
            (
                "an option",
                |i| {
                    i.custom.insert("tier".into(), "Gold".into());
                },
                None,
            ),
            (
                "not an option",
                |i| {
                    i.custom.insert("tier".into(), "Bronze".into());
                },
                Some("custom.tier"),
            ),
            (
                "long text",
                |i| {
                    i.custom.insert("notes".into(), "x".repeat(501));
                },
                Some("custom.notes"),
            ),
            (
                "multi-line text",
                |i| {
                    i.custom.insert("notes".into(), "line one\nline two".into());
                },
                None,
            ),
        ];
        let config = config();
        for (what, edit, expected) in cases {
            let mut input = valid();
            edit(&mut input);
            let errors = validate(&input.normalized(&config), &config);
            match expected {
                None => assert!(errors.is_empty(), "{what}: expected valid, got {errors:?}"),
                Some(field) => {
                    assert!(errors.contains_key(field), "{what}: expected an error on {field}, got {errors:?}");
                    assert_eq!(errors.len(), 1, "{what}: only {field} is wrong, got {errors:?}");
                }
            }
        }
    }

    #[test]
    fn normalizing_trims_and_drops_unknown_custom_values() {
        let mut input = valid();
        input.name = "  Alpha  ".into();
        input.contact_email = " Anna@Example.DE ".into();
        input.custom.insert("unknown".into(), "x".into());
        input.custom.insert("notes".into(), "   ".into());
        let n = input.normalized(&config());
        assert_eq!(n.name, "Alpha");
        assert_eq!(n.contact_email, "anna@example.de");
        assert_eq!(n.custom.keys().collect::<Vec<_>>(), ["seats"]);
    }

    #[test]
    fn required_network_needs_a_parent() {
        let config = FieldConfig { modes: [(BuiltinField::Network, FieldMode::Required)].into(), ..Default::default() };
        let input = CustomerInput { name: "A".into(), ..Default::default() };
        assert!(validate(&input, &config).contains_key("network"));
        let input = CustomerInput { parent_id: Some(7), ..input };
        assert!(validate(&input, &config).is_empty());
    }

    #[test]
    fn custom_field_definitions() {
        let draft = |label: &str, kind, options: &[&str]| {
            CustomFieldDraft {
                label: label.into(),
                kind,
                options: options.iter().map(|o| o.to_string()).collect(),
                ..Default::default()
            }
            .normalized()
        };
        assert!(validate_custom_field(&draft("Contract end", Some(CustomFieldKind::Date), &[])).is_empty());
        assert_eq!(draft("Contract end", None, &[]).key, "contract_end");
        assert!(validate_custom_field(&draft("", Some(CustomFieldKind::Text), &[])).contains_key("label"));
        assert!(validate_custom_field(&draft("Tier", None, &[])).contains_key("kind"));
        assert!(
            validate_custom_field(&draft("Tier", Some(CustomFieldKind::Choice), &[" ", ""])).contains_key("options")
        );
        assert!(validate_custom_field(&draft("Tier", Some(CustomFieldKind::Choice), &["Gold", "gold"]))
            .contains_key("options"));
        assert!(validate_custom_field(&draft("Tier", Some(CustomFieldKind::Choice), &["Gold", "Silver"])).is_empty());
        assert!(
            validate_custom_field(&draft("42", Some(CustomFieldKind::Text), &[])).contains_key("key"),
            "a key must start with a letter"
        );
        assert_eq!(validate_workflows(&["A".into(), "B".into()]), None);
        assert!(validate_workflows(&["A".into(), "a".into()]).is_some());
        assert!(validate_workflows(&["".into()]).is_some());
    }

    #[test]
    fn custom_keys() {
        assert_eq!(key_from_label("Contract end (date)"), "contract_end_date");
        assert_eq!(key_from_label("  Über-Größe "), "ber_gr_e");
        assert!(check_custom_key("seats_2").is_none());
        assert!(check_custom_key("2seats").is_some());
        assert!(check_custom_key("Seats").is_some());
        assert!(check_custom_key("").is_some());
    }
}

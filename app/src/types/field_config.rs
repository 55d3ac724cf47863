//! A tenant's field configuration (PRODUCT.md §5): which built-in fields its customer form
//! shows and requires, its custom fields and its workflows, with the rules for defining them.

use crate::types::forms::FieldErrors;
use crate::types::forms::{clean_text, has_hidden_characters, HIDDEN_CHARACTERS};
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
        let label = clean_text(&self.label);
        let key = match self.key.trim() {
            "" => key_from_label(&label),
            key => key.to_string(),
        };
        let options = self.options.iter().map(|o| clean_text(o)).filter(|o| !o.is_empty()).collect();
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
    } else if has_hidden_characters(&draft.label) {
        errors.insert("label".into(), HIDDEN_CHARACTERS.into());
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
        } else if draft.options.iter().any(|o| has_hidden_characters(o)) {
            errors.insert("options".into(), HIDDEN_CHARACTERS.into());
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
    } else if workflows
        .iter()
        .any(|w| w.is_empty() || w.chars().count() > WORKFLOW_MAX_CHARS || has_hidden_characters(w))
    {
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

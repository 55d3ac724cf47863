//! Erasing a person everywhere (PRODUCT.md §9, issue 13): what the operator confirms.

use serde::{Deserialize, Serialize};

/// Who would be erased, and which partners hold them: the operator's confirmation lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasurePreview {
    pub person_id: i64,
    pub name: String,
    pub email: String,
    /// The partners with a membership of this person (staff or customer user), by name.
    pub partners: Vec<String>,
    pub memberships: u64,
}

/// How the audit log names an erased person from then on.
pub fn pseudonym(person_id: i64) -> String {
    format!("erased person #{person_id}")
}

//! Partners (tenants) as the platform operator manages them.

use serde::{Deserialize, Serialize};

/// A partner as the operator's Settings area lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    pub id: i64,
    pub name: String,
    pub support_level_confirmed: bool,
    pub active: bool,
    pub partner_users: u64,
    pub customers: u64,
}

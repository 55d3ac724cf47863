//! Partners (tenants) as the platform operator manages them.

use crate::types::customers::CustomerCount;
use serde::{Deserialize, Serialize};

/// A partner as the operator's Settings area lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerSummary {
    pub id: i64,
    pub name: String,
    pub support_level_confirmed: bool,
    pub active: bool,
    pub partner_users: u64,
    /// Capped like the customer list's count ("10,000+"): counting a million takes 25 ms.
    pub customers: CustomerCount,
}

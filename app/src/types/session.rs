//! Who is signed in and what they may do: the permissions of PRODUCT.md §2 and the session as
//! the browser sees it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The permissions of PRODUCT.md §2. An operator holds all of them in every tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    CustomersView,
    CustomersCreate,
    CustomersEdit,
    CustomersDisable,
    CustomersDelete,
    CustomersExport,
    CustomersImpersonate,
    CustomerUsersManage,
    TenantConfigure,
    PartnerUsersManage,
    AuditView,
    ApiKeysManage,
    WebhooksManage,
    PersonsErase,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Self::CustomersView,
        Self::CustomersCreate,
        Self::CustomersEdit,
        Self::CustomersDisable,
        Self::CustomersDelete,
        Self::CustomersExport,
        Self::CustomersImpersonate,
        Self::CustomerUsersManage,
        Self::TenantConfigure,
        Self::PartnerUsersManage,
        Self::AuditView,
        Self::ApiKeysManage,
        Self::WebhooksManage,
        Self::PersonsErase,
    ];

    /// The name stored in `role_permissions` and shown to people.
    pub fn key(self) -> &'static str {
        match self {
            Self::CustomersView => "customers.view",
            Self::CustomersCreate => "customers.create",
            Self::CustomersEdit => "customers.edit",
            Self::CustomersDisable => "customers.disable",
            Self::CustomersDelete => "customers.delete",
            Self::CustomersExport => "customers.export",
            Self::CustomersImpersonate => "customers.impersonate",
            Self::CustomerUsersManage => "customer_users.manage",
            Self::TenantConfigure => "tenant.configure",
            Self::PartnerUsersManage => "partner_users.manage",
            Self::AuditView => "audit.view",
            Self::ApiKeysManage => "api_keys.manage",
            Self::WebhooksManage => "webhooks.manage",
            Self::PersonsErase => "persons.erase",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The permissions a partner's role may hold (custom roles pick any subset); the rest are
    /// the operator's alone: partners are separate companies.
    pub fn partner_side() -> impl Iterator<Item = Permission> {
        Self::ALL.into_iter().filter(|p| *p != Self::PersonsErase)
    }

    /// What the permission allows, in words, for the roles page.
    pub fn description(self) -> &'static str {
        match self {
            Self::CustomersView => "See the customer list, customer details and their users.",
            Self::CustomersCreate => "Add customer accounts, networks and sub-accounts.",
            Self::CustomersEdit => "Change a customer's details and custom fields.",
            Self::CustomersDisable => "Disable and activate customers, one at a time or in bulk.",
            Self::CustomersDelete => "Delete customers for good, with their sub-accounts.",
            Self::CustomersExport => "Download customers, their users and one account's data.",
            Self::CustomersImpersonate => "Log in as a customer account, to see it as its users do.",
            Self::CustomerUsersManage => "Invite customer users, resend, revoke, reset passwords and remove them.",
            Self::TenantConfigure => "Customer fields, roles, email settings, consents and Log in as settings.",
            Self::PartnerUsersManage => "Invite colleagues, change their roles, disable and remove them.",
            Self::AuditView => "Read the audit log.",
            Self::ApiKeysManage => "Create and revoke the partner's API keys (Settings → API keys).",
            Self::WebhooksManage => "Add, change and remove the partner's webhook endpoints; see their deliveries.",
            Self::PersonsErase => "Erase a person everywhere (platform operators only).",
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRef {
    pub id: i64,
    pub name: String,
    /// Only operators ever work in a disabled partner (to look, or to enable it again).
    #[serde(default)]
    pub disabled: bool,
}

/// Who is signed in, as the browser needs to know it to shape the UI.
/// The server never trusts this back: every call is authorized again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub person_name: String,
    pub email: String,
    pub is_operator: bool,
    /// The tenant this session works in, if any.
    pub tenant: Option<TenantRef>,
    /// Every tenant the person may switch to.
    pub tenants: Vec<TenantRef>,
    /// The role's name in the active tenant ("Operator" for operators).
    pub role_name: Option<String>,
    /// Permissions held in the active tenant.
    pub permissions: Vec<Permission>,
    /// Customer accounts the person can open in the portal (while impersonation: the account viewed).
    pub accounts: Vec<crate::types::portal::PortalAccountRef>,
    /// Whether "Log in as" can be used in the active tenant, or why not (None: no partner workspace).
    pub impersonation_availability: Option<crate::types::impersonation::ImpersonationAvailability>,
    /// Set while the person views a customer account as its users do ("Log in as").
    pub impersonation: Option<crate::types::impersonation::ImpersonationInfo>,
    /// The person's colour theme.
    pub theme: crate::types::my_account::Theme,
}

impl SessionInfo {
    pub fn can(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_keys_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        assert_eq!(Permission::from_key("customers.fly"), None);
    }
}

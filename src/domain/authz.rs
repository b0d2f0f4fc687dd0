//! Who may do what: one explicit matrix of roles and actions.

use super::api_key::Role;

/// Everything a key can ask for that is not open to every authenticated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ManageOrganizations,
    ManageApiKeys,
    ReadAuditTrail,
    /// Create and change establishments, their status and authorisations, and import lists.
    ManageRegistry,
}

impl Action {
    pub const VARIANTS: [Action; 4] = [
        Self::ManageOrganizations,
        Self::ManageApiKeys,
        Self::ReadAuditTrail,
        Self::ManageRegistry,
    ];
}

/// Whether `role` may perform `action`.
pub fn allows(role: Role, action: Action) -> bool {
    match (role, action) {
        (Role::Admin, _) => true,
        (
            Role::Exporter | Role::Inspector,
            Action::ManageOrganizations | Action::ManageApiKeys | Action::ReadAuditTrail | Action::ManageRegistry,
        ) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_organisations_keys_registries_and_read_the_audit_trail() {
        for role in Role::VARIANTS {
            for action in Action::VARIANTS {
                assert_eq!(allows(role, action), role == Role::Admin, "{role:?} {action:?}");
            }
        }
    }
}

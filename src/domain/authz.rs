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
    /// Declare, edit, check, submit and cancel the organisation's own consignments.
    DeclareConsignments,
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
        (Role::Exporter, Action::DeclareConsignments) => true,
        (Role::Admin | Role::Inspector, Action::DeclareConsignments) => false,
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
    fn only_admins_administer_and_only_exporters_declare_consignments() {
        for role in Role::VARIANTS {
            for action in Action::VARIANTS {
                let expected = match action {
                    Action::DeclareConsignments => role == Role::Exporter,
                    _ => role == Role::Admin,
                };
                assert_eq!(allows(role, action), expected, "{role:?} {action:?}");
            }
        }
    }
}

//! Who may do what: one explicit matrix of roles and actions.

use super::api_key::Role;
use super::text_enum::text_enum;

text_enum! {
    /// Everything a key can ask for that is not open to every authenticated key. `VARIANTS`
    /// comes from this list, so the authorisation test covers every action.
    pub enum Action {
        ManageOrganizations = "manage_organizations",
        ManageApiKeys = "manage_api_keys",
        ReadAuditTrail = "read_audit_trail",
        /// Create and change establishments, their status and authorisations, and import lists.
        ManageRegistry = "manage_registry",
        /// Declare, edit, check, submit and cancel the organisation's own consignments.
        DeclareConsignments = "declare_consignments",
        /// Inspect and decide consignments, and revoke or replace certificates, for the authority.
        Inspect = "inspect",
        /// Read a consignment: exporters their own, inspectors those of their competence once
        /// submitted, admins any.
        ReadConsignments = "read_consignments",
        /// Register and remove webhook endpoints: every role, for its own organisation (admins
        /// for any).
        ManageWebhooks = "manage_webhooks",
    }
}

/// Whether `role` may perform `action`.
pub fn allows(role: Role, action: Action) -> bool {
    match (role, action) {
        (Role::Exporter, Action::DeclareConsignments) | (Role::Inspector, Action::Inspect) => true,
        (_, Action::ReadConsignments | Action::ManageWebhooks) => true,
        (Role::Admin | Role::Inspector, Action::DeclareConsignments)
        | (Role::Admin | Role::Exporter, Action::Inspect) => false,
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
    fn admins_administer_exporters_declare_and_inspectors_inspect() {
        for role in Role::VARIANTS {
            for action in Action::VARIANTS {
                let expected = match action {
                    Action::DeclareConsignments => role == Role::Exporter,
                    Action::Inspect => role == Role::Inspector,
                    Action::ReadConsignments | Action::ManageWebhooks => true,
                    _ => role == Role::Admin,
                };
                assert_eq!(allows(role, action), expected, "{role:?} {action:?}");
            }
        }
    }
}

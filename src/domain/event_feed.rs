//! The event feed: which changes organisations are told about, and whom each concerns. The
//! feed follows the sealed audit chain, so its order is the chain's and it never has an event
//! appear before one already seen.

use super::audit::AuditAction;

/// Whom an event concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The organisation that declared the consignment.
    Exporter,
    /// The organisations of the consignment's competent authority.
    Authority,
    /// The organisation that holds the establishment's code.
    Holder,
    /// The organisation whose webhook endpoint it is.
    EndpointOwner,
}

/// The types the feed publishes, in the order the documentation lists them.
pub const EVENT_TYPES: [AuditAction; 9] = [
    AuditAction::ConsignmentSubmitted,
    AuditAction::ConsignmentReturned,
    AuditAction::ConsignmentApproved,
    AuditAction::ConsignmentRejected,
    AuditAction::CertificateIssued,
    AuditAction::CertificateRevoked,
    AuditAction::CertificateReplaced,
    AuditAction::EstablishmentStatusChanged,
    AuditAction::WebhookEndpointDisabled,
];

/// Whom an event of this type is for; nobody for changes the feed does not publish.
pub fn audiences(action: AuditAction) -> &'static [Audience] {
    match action {
        AuditAction::ConsignmentSubmitted => &[Audience::Authority],
        AuditAction::ConsignmentReturned
        | AuditAction::ConsignmentApproved
        | AuditAction::ConsignmentRejected
        | AuditAction::CertificateIssued
        | AuditAction::CertificateRevoked
        | AuditAction::CertificateReplaced => &[Audience::Exporter, Audience::Authority],
        AuditAction::EstablishmentStatusChanged => &[Audience::Holder],
        AuditAction::WebhookEndpointDisabled => &[Audience::EndpointOwner],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_published_type_has_an_audience_and_nothing_else_does() {
        for action in AuditAction::VARIANTS {
            assert_eq!(
                !audiences(action).is_empty(),
                EVENT_TYPES.contains(&action),
                "{action:?}"
            );
        }
    }

    #[test]
    fn a_submission_goes_to_the_authority_and_a_decision_to_both_sides() {
        assert_eq!(audiences(AuditAction::ConsignmentSubmitted), [Audience::Authority]);
        assert_eq!(
            audiences(AuditAction::ConsignmentApproved),
            [Audience::Exporter, Audience::Authority]
        );
        assert_eq!(audiences(AuditAction::EstablishmentStatusChanged), [Audience::Holder]);
    }
}

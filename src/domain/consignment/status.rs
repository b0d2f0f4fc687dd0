//! The consignment lifecycle: the exporter drafts, edits, submits and may cancel; an inspector
//! of the competent authority approves, rejects or returns a submitted consignment.

use crate::domain::text_enum::text_enum;

text_enum! {
    pub enum ConsignmentStatus {
        Draft = "draft",
        Submitted = "submitted",
        Returned = "returned",
        Cancelled = "cancelled",
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// What the exporter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterEvent {
    Edit,
    Submit,
    Cancel,
}

text_enum! {
    /// What an inspector decides, by the status it leads to (as the decisions table stores it).
    pub enum Decision {
        Approve = "approved",
        Reject = "rejected",
        Return = "returned",
    }
}

text_enum! {
    /// Why an inspector rejects a consignment (a documented reason code is required).
    pub enum RejectionReason {
        QuarantinePestFound = "quarantine_pest_found",
        SoilOrPlantDebris = "soil_or_plant_debris",
        RegistryNotApproved = "registry_not_approved",
        LabResultsNonCompliant = "lab_results_non_compliant",
        ColdChainBreach = "cold_chain_breach",
        AnimalHealth = "animal_health",
        DocumentsNonCompliant = "documents_non_compliant",
        Other = "other",
    }
}

impl ConsignmentStatus {
    /// The status after an exporter's `event`, or `None` when it is not allowed now.
    pub fn after(self, event: ExporterEvent) -> Option<Self> {
        match (self, event) {
            (Self::Draft | Self::Returned, ExporterEvent::Edit) => Some(self),
            (Self::Draft | Self::Returned, ExporterEvent::Submit) => Some(Self::Submitted),
            (Self::Draft | Self::Submitted | Self::Returned, ExporterEvent::Cancel) => Some(Self::Cancelled),
            (Self::Submitted, ExporterEvent::Edit | ExporterEvent::Submit)
            | (Self::Cancelled | Self::Approved | Self::Rejected, _) => None,
        }
    }

    /// Inspections are recorded while the consignment awaits its decision.
    pub fn accepts_inspection(self) -> bool {
        self == Self::Submitted
    }

    /// The status after an inspector's `decision`; only a submitted consignment is decided.
    pub fn decided(self, decision: Decision) -> Option<Self> {
        match (self, decision) {
            (Self::Submitted, Decision::Approve) => Some(Self::Approved),
            (Self::Submitted, Decision::Reject) => Some(Self::Rejected),
            (Self::Submitted, Decision::Return) => Some(Self::Returned),
            (Self::Draft | Self::Returned | Self::Cancelled | Self::Approved | Self::Rejected, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConsignmentStatus::*;
    use super::ExporterEvent::*;
    use super::*;

    #[test]
    fn every_status_and_exporter_event_pair_has_a_defined_outcome() {
        let table = [
            (Draft, Edit, Some(Draft)),
            (Draft, Submit, Some(Submitted)),
            (Draft, Cancel, Some(Cancelled)),
            (Submitted, Edit, None),
            (Submitted, Submit, None),
            (Submitted, Cancel, Some(Cancelled)),
            (Returned, Edit, Some(Returned)),
            (Returned, Submit, Some(Submitted)),
            (Returned, Cancel, Some(Cancelled)),
            (Cancelled, Edit, None),
            (Cancelled, Submit, None),
            (Cancelled, Cancel, None),
            (Approved, Edit, None),
            (Approved, Submit, None),
            (Approved, Cancel, None),
            (Rejected, Edit, None),
            (Rejected, Submit, None),
            (Rejected, Cancel, None),
        ];
        assert_eq!(table.len(), ConsignmentStatus::VARIANTS.len() * 3);
        for (status, event, expected) in table {
            assert_eq!(status.after(event), expected, "{status:?} {event:?}");
        }
    }

    #[test]
    fn every_status_and_decision_pair_has_a_defined_outcome() {
        use Decision::*;
        let table = [
            (Draft, Approve, None),
            (Draft, Reject, None),
            (Draft, Return, None),
            (Submitted, Approve, Some(Approved)),
            (Submitted, Reject, Some(Rejected)),
            (Submitted, Return, Some(Returned)),
            (Returned, Approve, None),
            (Returned, Reject, None),
            (Returned, Return, None),
            (Cancelled, Approve, None),
            (Cancelled, Reject, None),
            (Cancelled, Return, None),
            (Approved, Approve, None),
            (Approved, Reject, None),
            (Approved, Return, None),
            (Rejected, Approve, None),
            (Rejected, Reject, None),
            (Rejected, Return, None),
        ];
        assert_eq!(table.len(), ConsignmentStatus::VARIANTS.len() * 3);
        for (status, decision, expected) in table {
            assert_eq!(status.decided(decision), expected, "{status:?} {decision:?}");
        }
    }
}

//! The consignment lifecycle: the exporter drafts, edits, submits and may cancel; an inspector
//! of the competent authority approves, rejects or returns a submitted consignment.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsignmentStatus {
    Draft,
    Submitted,
    Returned,
    Cancelled,
    Approved,
    Rejected,
}

/// What the exporter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterEvent {
    Edit,
    Submit,
    Cancel,
}

/// What an inspector decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    Return,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Reject => "rejected",
            Self::Return => "returned",
        }
    }
}

impl ConsignmentStatus {
    pub const VARIANTS: [Self; 6] = [
        Self::Draft,
        Self::Submitted,
        Self::Returned,
        Self::Cancelled,
        Self::Approved,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Cancelled => "cancelled",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::VARIANTS.into_iter().find(|status| status.as_str() == text)
    }

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

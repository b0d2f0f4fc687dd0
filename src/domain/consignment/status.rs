//! The consignment lifecycle as far as the exporter drives it. Inspection decisions extend it.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsignmentStatus {
    Draft,
    Submitted,
    Returned,
    Cancelled,
}

/// What the exporter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterEvent {
    Edit,
    Submit,
    Cancel,
}

impl ConsignmentStatus {
    pub const VARIANTS: [Self; 4] = [Self::Draft, Self::Submitted, Self::Returned, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::VARIANTS.into_iter().find(|status| status.as_str() == text)
    }

    /// The status after `event`, or `None` when the event is not allowed now.
    pub fn after(self, event: ExporterEvent) -> Option<Self> {
        match (self, event) {
            (Self::Draft | Self::Returned, ExporterEvent::Edit) => Some(self),
            (Self::Draft | Self::Returned, ExporterEvent::Submit) => Some(Self::Submitted),
            (Self::Draft | Self::Submitted | Self::Returned, ExporterEvent::Cancel) => Some(Self::Cancelled),
            (Self::Submitted, ExporterEvent::Edit | ExporterEvent::Submit) | (Self::Cancelled, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConsignmentStatus::*;
    use super::ExporterEvent::*;
    use super::*;

    #[test]
    fn every_status_and_event_pair_has_a_defined_outcome() {
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
        ];
        assert_eq!(table.len(), ConsignmentStatus::VARIANTS.len() * 3);
        for (status, event, expected) in table {
            assert_eq!(status.after(event), expected, "{status:?} {event:?}");
        }
    }
}

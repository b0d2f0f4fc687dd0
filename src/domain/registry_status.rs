//! Status of a registered establishment over time, per commodity.
//!
//! An establishment has status periods (`approved`, `suspended`, `revoked`), each from a first
//! day to an optional last day, both inclusive. On a given date the period that applies is the
//! covering period with the latest first day: a later notice overrides an earlier one, so a
//! suspension inside an open-ended approval applies for its window, and a later approval lifts
//! an earlier suspension. Periods starting the same day are ranked revoked, then suspended, then
//! approved, so the stricter notice wins a tie. No covering period means not registered that day.

use super::establishment::Commodity;
use super::field_violation::FieldViolation;
use super::text_enum::text_enum;
use chrono::NaiveDate;

text_enum! {
    pub enum RegistryStatus {
        Approved = "approved",
        Suspended = "suspended",
        Revoked = "revoked",
    }
}

impl RegistryStatus {
    /// Tie-break rank for periods that start the same day; higher wins.
    pub fn severity(self) -> i16 {
        match self {
            Self::Approved => 0,
            Self::Suspended => 1,
            Self::Revoked => 2,
        }
    }
}

/// One period of one status for one commodity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPeriod {
    pub commodity: Commodity,
    pub status: RegistryStatus,
    pub effective_from: NaiveDate,
    /// Last day the status applies; `None` for open-ended.
    pub effective_until: Option<NaiveDate>,
    pub reference: String,
}

impl StatusPeriod {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_until.is_none_or(|until| date <= until)
    }

    fn overlaps(&self, other: &StatusPeriod) -> bool {
        let ends_before =
            |a: &StatusPeriod, b: &StatusPeriod| a.effective_until.is_some_and(|until| until < b.effective_from);
        !ends_before(self, other) && !ends_before(other, self)
    }
}

/// The period that decides the status of `commodity` on `date`, if any.
pub fn deciding_period<'a, I>(periods: I, commodity: Commodity, date: NaiveDate) -> Option<&'a StatusPeriod>
where
    I: IntoIterator<Item = &'a StatusPeriod>,
{
    periods
        .into_iter()
        .filter(|period| period.commodity == commodity && period.covers(date))
        .max_by_key(|period| (period.effective_from, period.status.severity()))
}

/// The status of `commodity` on `date`; `None` when no period covers that day.
pub fn status_on<'a, I>(periods: I, commodity: Commodity, date: NaiveDate) -> Option<RegistryStatus>
where
    I: IntoIterator<Item = &'a StatusPeriod>,
{
    deciding_period(periods, commodity, date).map(|period| period.status)
}

/// Checks that a window is well formed.
pub fn check_window(from: NaiveDate, until: Option<NaiveDate>, pointer: &str) -> Result<(), FieldViolation> {
    match until {
        Some(until) if until < from => Err(FieldViolation::new(
            pointer,
            "window_reversed",
            "The last day must not be before the first day.",
        )),
        _ => Ok(()),
    }
}

/// Refuses new periods that contradict recorded ones: an overlapping window with a different
/// status under the same reference (one notice cannot say two things about the same days).
pub fn contradiction(existing: &[StatusPeriod], new: &[StatusPeriod]) -> Option<FieldViolation> {
    for (index, candidate) in new.iter().enumerate() {
        let clash = existing.iter().chain(new.iter().take(index)).find(|other| {
            other.commodity == candidate.commodity
                && other.reference == candidate.reference
                && other.status != candidate.status
                && other.overlaps(candidate)
        });
        if let Some(other) = clash {
            return Some(FieldViolation::new(
                "/effective_from",
                "contradicts_reference",
                format!(
                    "Reference {} already marks {} as {} from {}{}; one notice cannot give the same days two statuses.",
                    other.reference,
                    other.commodity.as_str(),
                    other.status.as_str(),
                    other.effective_from,
                    other
                        .effective_until
                        .map(|until| format!(" to {until}"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Commodity::*;
    use RegistryStatus::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn period(
        commodity: Commodity,
        status: RegistryStatus,
        from: &str,
        until: Option<&str>,
        reference: &str,
    ) -> StatusPeriod {
        StatusPeriod {
            commodity,
            status,
            effective_from: day(from),
            effective_until: until.map(day),
            reference: reference.into(),
        }
    }

    /// Approved from 2023-01-01, suspended 2024-06-12 to 2024-08-31 (cadmium).
    fn history() -> Vec<StatusPeriod> {
        vec![
            period(Durian, Approved, "2023-01-01", None, "GACC list 2023"),
            period(
                Durian,
                Suspended,
                "2024-06-12",
                Some("2024-08-31"),
                "GACC notice 11/06/2024",
            ),
        ]
    }

    #[test]
    fn before_the_first_period_there_is_no_status() {
        assert_eq!(status_on(&history(), Durian, day("2022-12-31")), None);
    }

    #[test]
    fn an_open_ended_approval_applies_from_its_first_day_onwards() {
        assert_eq!(status_on(&history(), Durian, day("2023-01-01")), Some(Approved));
        assert_eq!(status_on(&history(), Durian, day("2030-01-01")), Some(Approved));
    }

    #[test]
    fn a_bounded_suspension_applies_from_its_first_to_its_last_day_inclusive() {
        assert_eq!(status_on(&history(), Durian, day("2024-06-11")), Some(Approved));
        assert_eq!(status_on(&history(), Durian, day("2024-06-12")), Some(Suspended));
        assert_eq!(status_on(&history(), Durian, day("2024-08-31")), Some(Suspended));
        assert_eq!(status_on(&history(), Durian, day("2024-09-01")), Some(Approved));
    }

    #[test]
    fn an_open_ended_suspension_is_lifted_by_a_later_approval() {
        let periods = vec![
            period(Durian, Approved, "2023-01-01", None, "list"),
            period(Durian, Suspended, "2024-06-12", None, "notice A"),
            period(Durian, Approved, "2024-10-15", None, "notice B"),
        ];
        assert_eq!(status_on(&periods, Durian, day("2024-10-14")), Some(Suspended));
        assert_eq!(status_on(&periods, Durian, day("2024-10-15")), Some(Approved));
    }

    #[test]
    fn a_future_suspension_does_not_apply_yet() {
        let mut periods = history();
        periods.push(period(Durian, Suspended, "2027-01-01", None, "notice C"));
        assert_eq!(status_on(&periods, Durian, day("2026-12-31")), Some(Approved));
        assert_eq!(status_on(&periods, Durian, day("2027-01-01")), Some(Suspended));
    }

    #[test]
    fn the_stricter_status_wins_a_same_day_tie() {
        let periods = vec![
            period(Durian, Approved, "2024-01-01", None, "list"),
            period(Durian, Revoked, "2024-01-01", None, "import"),
        ];
        assert_eq!(status_on(&periods, Durian, day("2024-01-01")), Some(Revoked));
    }

    #[test]
    fn each_commodity_has_its_own_status() {
        let mut periods = history();
        periods.push(period(Coconut, Approved, "2024-10-01", None, "coconut list"));
        assert_eq!(status_on(&periods, Coconut, day("2024-07-01")), None);
        assert_eq!(status_on(&periods, Coconut, day("2024-10-01")), Some(Approved));
        assert_eq!(status_on(&periods, Durian, day("2024-07-01")), Some(Suspended));
    }

    #[test]
    fn a_reversed_window_is_refused() {
        assert!(check_window(day("2024-02-01"), Some(day("2024-01-31")), "/effective_until").is_err());
        assert!(check_window(day("2024-02-01"), Some(day("2024-02-01")), "/effective_until").is_ok());
    }

    #[test]
    fn overlapping_windows_with_different_statuses_from_one_reference_contradict() {
        let existing = vec![period(Durian, Suspended, "2024-06-12", Some("2024-08-31"), "N1")];
        let clash = vec![period(Durian, Approved, "2024-08-31", None, "N1")];
        assert_eq!(contradiction(&existing, &clash).unwrap().code, "contradicts_reference");
    }

    #[test]
    fn adjacent_windows_or_other_references_do_not_contradict() {
        let existing = vec![period(Durian, Suspended, "2024-06-12", Some("2024-08-31"), "N1")];
        assert!(contradiction(&existing, &[period(Durian, Approved, "2024-09-01", None, "N1")]).is_none());
        assert!(contradiction(&existing, &[period(Durian, Approved, "2024-07-01", None, "N2")]).is_none());
        assert!(contradiction(&existing, &[period(Coconut, Approved, "2024-07-01", None, "N1")]).is_none());
        assert!(contradiction(&existing, &[period(Durian, Suspended, "2024-07-01", None, "N1")]).is_none());
    }
}

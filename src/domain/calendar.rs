//! Business dates. Protocol dates (departure, suspension windows, list dates) are Vietnamese
//! calendar days; Vietnam keeps UTC+7 all year, with no daylight saving.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, Utc};

const VIETNAM_OFFSET_SECONDS: i32 = 7 * 3600;

/// The dates a request may carry: anything outside is a typing mistake (or beyond what the
/// database stores), refused with the field named.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};
pub const LATEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MAX,
};

/// A `validator` rule: the date lies within `EARLIEST_DATE..=LATEST_DATE`.
pub fn date_in_range(date: &NaiveDate) -> Result<(), validator::ValidationError> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(date) {
        Ok(())
    } else {
        let mut error = validator::ValidationError::new("out_of_range");
        error.message = Some(format!("Dates must be between {EARLIEST_DATE} and {LATEST_DATE}.").into());
        Err(error)
    }
}

/// A `validator` rule for instants: their UTC day lies within `EARLIEST_DATE..=LATEST_DATE`.
pub fn instant_in_range(at: &DateTime<Utc>) -> Result<(), validator::ValidationError> {
    date_in_range(&at.date_naive())
}

/// The calendar day in Vietnam at the instant `now`.
pub fn vietnam_date(now: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS) {
        Some(offset) => now.with_timezone(&offset).date_naive(),
        None => now.date_naive(),
    }
}

/// An instant as an ISO 8601 date-time in Vietnam's time (`2025-02-28T10:15:00+07:00`).
pub fn vietnam_date_time(at: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS) {
        Some(offset) => at.with_timezone(&offset).to_rfc3339_opts(SecondsFormat::Secs, false),
        None => at.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// The start of a Vietnamese calendar day as an ISO 8601 date-time, for schemas that want a
/// date-time where only the day is recorded.
pub fn vietnam_day_start(day: NaiveDate) -> String {
    match FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS)
        .and_then(|offset| day.and_time(NaiveTime::MIN).and_local_timezone(offset).single())
    {
        Some(start) => start.to_rfc3339_opts(SecondsFormat::Secs, false),
        None => format!("{day}T00:00:00Z"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_print_as_date_times_in_vietnam_time() {
        let at = Utc.with_ymd_and_hms(2025, 2, 28, 20, 15, 0).unwrap();
        assert_eq!(vietnam_date_time(at), "2025-03-01T03:15:00+07:00");
        assert_eq!(
            vietnam_day_start("2025-02-27".parse().unwrap()),
            "2025-02-27T00:00:00+07:00"
        );
    }

    #[test]
    fn dates_from_1900_to_2100_pass_and_others_are_out_of_range() {
        assert!(date_in_range(&"1900-01-01".parse().unwrap()).is_ok());
        assert!(date_in_range(&"2100-12-31".parse().unwrap()).is_ok());
        assert_eq!(
            date_in_range(&"9999-12-31".parse().unwrap()).unwrap_err().code,
            "out_of_range"
        );
        assert!(date_in_range(&"-4714-01-01".parse().unwrap()).is_err());
    }

    #[test]
    fn the_vietnamese_day_starts_at_17_00_utc() {
        assert_eq!(
            vietnam_date(Utc.with_ymd_and_hms(2026, 11, 27, 16, 59, 59).unwrap()).to_string(),
            "2026-11-27"
        );
        assert_eq!(
            vietnam_date(Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 0).unwrap()).to_string(),
            "2026-11-28"
        );
    }
}

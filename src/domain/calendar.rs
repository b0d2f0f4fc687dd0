//! Business dates. Protocol dates (departure, suspension windows, list dates) are Vietnamese
//! calendar days; Vietnam keeps UTC+7 all year, with no daylight saving.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

const VIETNAM_OFFSET_SECONDS: i32 = 7 * 3600;

/// The calendar day in Vietnam at the instant `now`.
pub fn vietnam_date(now: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(VIETNAM_OFFSET_SECONDS) {
        Some(offset) => now.with_timezone(&offset).date_naive(),
        None => now.date_naive(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

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

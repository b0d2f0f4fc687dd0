//! Keyset pagination: a page limit with a default and a maximum, and opaque cursors that
//! carry the sort key of the last row returned. Clients must treat a cursor as opaque; the
//! version tag lets the format change without misreading old cursors.

use super::field_violation::FieldViolation;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub const DEFAULT_PAGE_LIMIT: i64 = 50;
pub const MAX_PAGE_LIMIT: i64 = 200;
const CURSOR_VERSION: &str = "v1";

/// Checks a requested page size, defaulting when absent.
pub fn page_limit(requested: Option<i64>) -> Result<i64, FieldViolation> {
    match requested {
        None => Ok(DEFAULT_PAGE_LIMIT),
        Some(limit) if (1..=MAX_PAGE_LIMIT).contains(&limit) => Ok(limit),
        Some(_) => Err(FieldViolation::new(
            "/limit",
            "out_of_range",
            format!("The limit must be between 1 and {MAX_PAGE_LIMIT}."),
        )),
    }
}

fn invalid_cursor() -> FieldViolation {
    FieldViolation::new(
        "/cursor",
        "invalid_cursor",
        "The cursor is not one this service issued; start again without it.",
    )
}

fn encode(parts: &[String]) -> String {
    let mut text = String::from(CURSOR_VERSION);
    for part in parts {
        text.push('|');
        text.push_str(part);
    }
    URL_SAFE_NO_PAD.encode(text)
}

/// The time range a cursor may carry: rows are created between these years, and PostgreSQL
/// refuses timestamps far beyond them.
const EARLIEST_CURSOR_YEAR: i32 = 2000;
const LATEST_CURSOR_YEAR: i32 = 2200;

fn decode(cursor: &str, expected_parts: usize) -> Result<Vec<String>, FieldViolation> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_cursor())?;
    // A NUL cannot be stored or compared in PostgreSQL text; no cursor of ours holds one.
    if text.contains('\0') {
        return Err(invalid_cursor());
    }
    let mut parts = text.split('|');
    if parts.next() != Some(CURSOR_VERSION) {
        return Err(invalid_cursor());
    }
    let parts: Vec<String> = parts.map(str::to_owned).collect();
    if parts.len() != expected_parts {
        return Err(invalid_cursor());
    }
    Ok(parts)
}

/// A position after a row ordered by (creation time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeIdCursor {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

impl TimeIdCursor {
    pub fn encode(&self) -> String {
        encode(&[self.created_at.timestamp_micros().to_string(), self.id.to_string()])
    }

    pub fn decode(cursor: &str) -> Result<Self, FieldViolation> {
        let parts = decode(cursor, 2)?;
        let micros: i64 = parts[0].parse().map_err(|_| invalid_cursor())?;
        let created_at = DateTime::from_timestamp_micros(micros)
            .filter(|at| (EARLIEST_CURSOR_YEAR..=LATEST_CURSOR_YEAR).contains(&chrono::Datelike::year(at)))
            .ok_or_else(invalid_cursor)?;
        let id = Uuid::parse_str(&parts[1]).map_err(|_| invalid_cursor())?;
        Ok(Self { created_at, id })
    }
}

/// A position after a row ordered by a strictly increasing sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqCursor(pub i64);

impl SeqCursor {
    pub fn encode(&self) -> String {
        encode(&[self.0.to_string()])
    }

    pub fn decode(cursor: &str) -> Result<Self, FieldViolation> {
        let parts = decode(cursor, 1)?;
        parts[0].parse().map(Self).map_err(|_| invalid_cursor())
    }
}

/// A position after a row ordered by (kind, code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCodeCursor {
    pub kind: String,
    pub code: String,
}

impl KindCodeCursor {
    pub fn encode(&self) -> String {
        encode(&[self.kind.clone(), self.code.clone()])
    }

    pub fn decode(cursor: &str) -> Result<Self, FieldViolation> {
        let mut parts = decode(cursor, 2)?.into_iter();
        match (parts.next(), parts.next()) {
            (Some(kind), Some(code)) => Ok(Self { kind, code }),
            _ => Err(invalid_cursor()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_defaults_and_stays_within_bounds() {
        assert_eq!(page_limit(None), Ok(50));
        assert_eq!(page_limit(Some(1)), Ok(1));
        assert_eq!(page_limit(Some(200)), Ok(200));
        assert_eq!(page_limit(Some(0)).unwrap_err().pointer, "/limit");
        assert_eq!(page_limit(Some(201)).unwrap_err().code, "out_of_range");
    }

    #[test]
    fn a_forged_cursor_with_a_far_timestamp_or_a_nul_is_refused() {
        let far = URL_SAFE_NO_PAD.encode(format!("v1|{}|{}", i64::MAX / 2, Uuid::from_u128(1)));
        assert_eq!(TimeIdCursor::decode(&far).unwrap_err().code, "invalid_cursor");
        let nul = URL_SAFE_NO_PAD.encode("v1|packing_house|VN\0X");
        assert_eq!(KindCodeCursor::decode(&nul).unwrap_err().code, "invalid_cursor");
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = TimeIdCursor {
            created_at: DateTime::from_timestamp_micros(1_764_295_200_123_456).unwrap(),
            id: Uuid::from_u128(42),
        };
        assert_eq!(TimeIdCursor::decode(&cursor.encode()), Ok(cursor));
        assert_eq!(SeqCursor::decode(&SeqCursor(17).encode()), Ok(SeqCursor(17)));
        let kind_code = KindCodeCursor {
            kind: "packing_house".into(),
            code: "VN-BTPH-036".into(),
        };
        assert_eq!(KindCodeCursor::decode(&kind_code.encode()), Ok(kind_code));
    }

    #[test]
    fn foreign_or_mismatched_cursors_are_refused() {
        for cursor in [
            "",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("v0|1"),
            &SeqCursor(3).encode(),
        ] {
            assert_eq!(
                TimeIdCursor::decode(cursor).unwrap_err().code,
                "invalid_cursor",
                "{cursor}"
            );
        }
        assert!(SeqCursor::decode(&URL_SAFE_NO_PAD.encode("v1|x")).is_err());
    }
}

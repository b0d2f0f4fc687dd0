//! Signed checkpoints of the audit chain. A checkpoint states "at `signed_at` the chain had
//! `seq` events and the last one's hash was `hash`", signed with the service's Ed25519 key.
//! The chain alone cannot show that its newest events were removed (what remains still
//! verifies); any checkpoint taken later than the removed events can.

use super::audit::to_hex;
use super::canonical_json::to_canonical_bytes;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// What a checkpoint states about the chain head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: [u8; 32],
    /// Microsecond precision, as PostgreSQL stores it, so the signature survives a round trip.
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
}

impl Checkpoint {
    /// The bytes that are signed: canonical JSON with a purpose, so a checkpoint signature can
    /// never be mistaken for a certificate signature made with the same key.
    pub fn signed_bytes(&self) -> Vec<u8> {
        to_canonical_bytes(&json!({
            "purpose": "audit-checkpoint",
            "seq": self.seq,
            "hash": to_hex(&self.hash),
            "signed_at": self.signed_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "key_id": self.key_id,
        }))
    }
}

/// When the sealer signs a new checkpoint.
#[derive(Debug, Clone, Copy)]
pub struct CheckpointPolicy {
    /// After this many events since the last checkpoint.
    pub every_events: i64,
    /// Or this long after the last checkpoint, if any event came since.
    pub interval: Duration,
}

impl CheckpointPolicy {
    /// Whether a chain whose head is `head_seq` needs a checkpoint now, given the last one.
    pub fn due(&self, head_seq: i64, last: Option<(i64, DateTime<Utc>)>, now: DateTime<Utc>) -> bool {
        match last {
            None => head_seq > 0,
            Some((seq, at)) => head_seq > seq && (head_seq - seq >= self.every_events || now - at >= self.interval),
        }
    }
}

/// How a checkpoint compares with the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointMismatch {
    /// The chain has an event at the checkpoint's position with another hash.
    HashMismatch,
    /// The chain ends before the checkpoint's position: events it covered are gone.
    EventsMissing,
}

/// The first checkpoint the chain does not match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedCheckpoint {
    pub seq: i64,
    pub hash: String,
    pub reason: CheckpointMismatch,
}

/// Compares the hashes seen while walking the chain with checkpoints, in sequence order.
#[derive(Debug, Clone, Default)]
pub struct CheckpointComparison {
    expected: BTreeMap<i64, [u8; 32]>,
    checked: u64,
    failed: Option<FailedCheckpoint>,
}

impl CheckpointComparison {
    /// Adds a checkpoint to compare with; one at the same position as another replaces it
    /// only if it has the same hash, otherwise the chain cannot match both and the second is
    /// reported.
    pub fn expect(&mut self, seq: i64, hash: [u8; 32]) {
        match self.expected.get(&seq) {
            Some(existing) if *existing != hash => self.fail(seq, hash, CheckpointMismatch::HashMismatch),
            _ => {
                self.expected.insert(seq, hash);
            }
        }
    }

    /// Called for every verified event, in order.
    pub fn observe(&mut self, seq: i64, hash: &[u8]) {
        if let Some(expected) = self.expected.remove(&seq) {
            self.checked += 1;
            if expected.as_slice() != hash {
                self.fail(seq, expected, CheckpointMismatch::HashMismatch);
            }
        }
    }

    /// After the last event: checkpoints beyond the chain's end mean events were removed.
    pub fn finish(mut self) -> (u64, Option<FailedCheckpoint>) {
        if let Some((&seq, &hash)) = self.expected.iter().next() {
            self.checked += 1;
            self.fail(seq, hash, CheckpointMismatch::EventsMissing);
        }
        (self.checked, self.failed)
    }

    fn fail(&mut self, seq: i64, hash: [u8; 32], reason: CheckpointMismatch) {
        if self.failed.is_none() {
            self.failed = Some(FailedCheckpoint {
                seq,
                hash: to_hex(&hash),
                reason,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 3, minute, 0).unwrap()
    }

    const POLICY: CheckpointPolicy = CheckpointPolicy {
        every_events: 100,
        interval: Duration::minutes(1),
    };

    #[test]
    fn a_first_checkpoint_is_due_as_soon_as_there_is_an_event() {
        assert!(POLICY.due(1, None, at(0)));
        assert!(!POLICY.due(0, None, at(0)));
    }

    #[test]
    fn a_checkpoint_is_due_after_enough_events_or_enough_time_with_new_events() {
        assert!(POLICY.due(110, Some((10, at(0))), at(0)));
        assert!(!POLICY.due(109, Some((10, at(0))), at(0)));
        assert!(POLICY.due(11, Some((10, at(0))), at(1)));
        assert!(!POLICY.due(10, Some((10, at(0))), at(5)));
    }

    #[test]
    fn the_signed_bytes_name_their_purpose_and_every_field() {
        let checkpoint = Checkpoint {
            seq: 7,
            hash: [0xab; 32],
            signed_at: at(4),
            key_id: "k1".into(),
        };
        let text = String::from_utf8(checkpoint.signed_bytes()).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"hash":"{}","key_id":"k1","purpose":"audit-checkpoint","seq":7,"signed_at":"2026-11-29T03:04:00.000000Z"}}"#,
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn a_chain_that_passes_through_every_checkpoint_matches() {
        let mut comparison = CheckpointComparison::default();
        comparison.expect(2, [2; 32]);
        comparison.observe(1, &[1; 32]);
        comparison.observe(2, &[2; 32]);
        comparison.observe(3, &[3; 32]);
        assert_eq!(comparison.finish(), (1, None));
    }

    #[test]
    fn a_chain_that_ends_before_a_checkpoint_has_lost_events() {
        let mut comparison = CheckpointComparison::default();
        comparison.expect(5, [5; 32]);
        comparison.observe(1, &[1; 32]);
        let (checked, failed) = comparison.finish();
        assert_eq!(checked, 1);
        assert_eq!(
            failed.map(|f| (f.seq, f.reason)),
            Some((5, CheckpointMismatch::EventsMissing))
        );
    }

    #[test]
    fn a_different_hash_at_a_checkpoint_is_a_mismatch() {
        let mut comparison = CheckpointComparison::default();
        comparison.expect(1, [9; 32]);
        comparison.observe(1, &[1; 32]);
        let failed = comparison.finish().1;
        assert_eq!(failed.map(|f| f.reason), Some(CheckpointMismatch::HashMismatch));
    }
}

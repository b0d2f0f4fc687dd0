//! The audit chain. Each event's hash is SHA-256 over the previous event's hash followed by
//! the canonical JSON of the event's own content, so altering, removing or reordering any
//! stored event breaks every hash from that point on. Verification recomputes the chain.

use super::canonical_json::to_canonical_bytes;
use super::text_enum::text_enum;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The hash that the first event chains onto.
pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// Everything an event records, in the form that is hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditContent {
    pub seq: i64,
    pub id: Uuid,
    /// Microsecond precision, as PostgreSQL stores it, so the hash survives a round trip.
    pub occurred_at: DateTime<Utc>,
    pub actor_key_id: Option<Uuid>,
    pub actor_organization_id: Option<Uuid>,
    pub request_id: String,
    /// The id the client sent, if any; kept beside the service's own.
    pub client_request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub state: Value,
}

impl AuditContent {
    fn canonical_bytes(&self) -> Vec<u8> {
        let mut content = json!({
            "seq": self.seq,
            "id": self.id,
            "occurred_at": self.occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            "actor_key_id": self.actor_key_id,
            "actor_organization_id": self.actor_organization_id,
            "request_id": self.request_id,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "state": self.state,
        });
        // Absent rather than null when the client sent none, so events recorded before the
        // field existed keep their hashes.
        if let (Some(client_request_id), Value::Object(map)) = (&self.client_request_id, &mut content) {
            map.insert("client_request_id".to_owned(), json!(client_request_id));
        }
        to_canonical_bytes(&content)
    }

    /// The hash of this event when it follows an event whose hash is `previous`.
    pub fn chained_hash(&self, previous: &[u8; 32]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(previous);
        hasher.update(self.canonical_bytes());
        hasher.finalize().into()
    }
}

/// A stored event as read back for verification.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub content: AuditContent,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Why an event does not fit the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainBreak {
    /// The event's sequence number is not the one after its predecessor's (a row was removed).
    SequenceGap,
    /// The event does not point at its predecessor's hash.
    PreviousHashMismatch,
    /// The event's content no longer produces its stored hash (the row was altered).
    HashMismatch,
}

/// The first event that breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub id: Uuid,
    pub seq: i64,
    pub reason: ChainBreak,
}

/// Walks events in sequence order, remembering only the last hash, so arbitrarily long chains
/// are verified in batches with constant memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: [u8; 32],
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            last_seq: 0,
            last_hash: GENESIS_HASH,
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next event; on success it becomes the predecessor of the following one.
    pub fn check(&mut self, event: &StoredEvent) -> Result<(), BrokenLink> {
        let broken = |reason| BrokenLink {
            id: event.content.id,
            seq: event.content.seq,
            reason,
        };
        if event.content.seq != self.last_seq + 1 {
            return Err(broken(ChainBreak::SequenceGap));
        }
        if event.prev_hash.as_slice() != self.last_hash.as_slice() {
            return Err(broken(ChainBreak::PreviousHashMismatch));
        }
        let expected = event.content.chained_hash(&self.last_hash);
        if event.hash.as_slice() != expected.as_slice() {
            return Err(broken(ChainBreak::HashMismatch));
        }
        self.last_seq = event.content.seq;
        self.last_hash = expected;
        self.checked += 1;
        Ok(())
    }

    pub fn events_checked(&self) -> u64 {
        self.checked
    }

    pub fn last_hash(&self) -> [u8; 32] {
        self.last_hash
    }
}

/// Chains `contents` (already in sealing order, their `seq` ignored) onto the event with
/// sequence number `last_seq` and hash `last_hash`: numbers them from `last_seq + 1` and hashes
/// each onto its predecessor.
pub fn seal(last_seq: i64, last_hash: [u8; 32], contents: Vec<AuditContent>) -> Vec<StoredEvent> {
    let mut previous = last_hash;
    contents
        .into_iter()
        .zip(last_seq + 1..)
        .map(|(mut content, seq)| {
            content.seq = seq;
            let hash = content.chained_hash(&previous);
            let event = StoredEvent {
                content,
                prev_hash: previous.to_vec(),
                hash: hash.to_vec(),
            };
            previous = hash;
            event
        })
        .collect()
}

/// Lower-case hexadecimal, for hashes shown to clients.
pub fn to_hex(bytes: &[u8]) -> String {
    // Every authenticated request hashes its key to hex: a table, not `format!` per byte.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Who made a change and in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub key_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub request_id: String,
    pub client_request_id: Option<String>,
}

text_enum! {
    /// What an audit event records: `<entity type>.<what happened>`.
    pub enum AuditAction {
        OrganizationCreated = "organization.created",
        ApiKeyCreated = "api_key.created",
        ApiKeyRevoked = "api_key.revoked",
        EstablishmentCreated = "establishment.created",
        EstablishmentUpdated = "establishment.updated",
        EstablishmentStatusChanged = "establishment.status_changed",
        EstablishmentAuthorizationAdded = "establishment.authorization_added",
        EstablishmentImportApplied = "establishment_import.applied",
        ConsignmentCreated = "consignment.created",
        ConsignmentUpdated = "consignment.updated",
        ConsignmentSubmitted = "consignment.submitted",
        ConsignmentCancelled = "consignment.cancelled",
        ConsignmentInspected = "consignment.inspected",
        ConsignmentApproved = "consignment.approved",
        ConsignmentRejected = "consignment.rejected",
        ConsignmentReturned = "consignment.returned",
        ConsignmentCorrected = "consignment.corrected",
        CertificateIssued = "certificate.issued",
        CertificateRevoked = "certificate.revoked",
        CertificateReplaced = "certificate.replaced",
        WebhookEndpointCreated = "webhook_endpoint.created",
        WebhookEndpointDeleted = "webhook_endpoint.deleted",
        WebhookEndpointSecretRotated = "webhook_endpoint.secret_rotated",
        WebhookEndpointDisabled = "webhook_endpoint.disabled",
    }
}

impl AuditAction {
    /// The kind of entity the event is about: the part before the dot.
    pub fn entity_type(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or_default()
    }
}

/// What changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub action: AuditAction,
    pub entity_id: String,
    pub state: Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn content(seq: i64) -> AuditContent {
        AuditContent {
            seq,
            id: Uuid::from_u128(seq as u128),
            occurred_at: Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap(),
            actor_key_id: None,
            actor_organization_id: Some(Uuid::from_u128(99)),
            request_id: format!("req-{seq}"),
            client_request_id: None,
            action: "organization.created".into(),
            entity_type: "organization".into(),
            entity_id: format!("{seq}"),
            state: json!({"name": "Công ty & Co <1>", "seq": seq}),
        }
    }

    fn chain(length: i64) -> Vec<StoredEvent> {
        seal(0, GENESIS_HASH, (1..=length).map(content).collect())
    }

    fn verify(events: &[StoredEvent]) -> Result<u64, BrokenLink> {
        let mut verifier = ChainVerifier::default();
        for event in events {
            verifier.check(event)?;
        }
        Ok(verifier.events_checked())
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn an_empty_chain_verifies() {
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn altering_an_event_names_that_event() {
        let mut events = chain(5);
        events[2].content.state = json!({"name": "forged"});
        assert_eq!(
            verify(&events),
            Err(BrokenLink {
                id: Uuid::from_u128(3),
                seq: 3,
                reason: ChainBreak::HashMismatch
            })
        );
    }

    #[test]
    fn removing_an_event_names_its_successor() {
        let mut events = chain(5);
        events.remove(1);
        assert_eq!(
            verify(&events),
            Err(BrokenLink {
                id: Uuid::from_u128(3),
                seq: 3,
                reason: ChainBreak::SequenceGap
            })
        );
    }

    #[test]
    fn rehashing_an_altered_event_is_caught_at_the_next_event() {
        let mut events = chain(4);
        events[1].content.action = "organization.deleted".into();
        events[1].hash = events[1].content.chained_hash(&hash_of(&events[0])).to_vec();
        assert_eq!(
            verify(&events),
            Err(BrokenLink {
                id: Uuid::from_u128(3),
                seq: 3,
                reason: ChainBreak::PreviousHashMismatch
            })
        );
    }

    fn hash_of(event: &StoredEvent) -> [u8; 32] {
        event.hash.clone().try_into().unwrap()
    }

    #[test]
    fn the_hash_does_not_depend_on_key_order_in_the_state() {
        let mut first = content(1);
        let mut second = content(1);
        first.state = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        second.state = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
        assert_eq!(first.chained_hash(&GENESIS_HASH), second.chained_hash(&GENESIS_HASH));
    }

    #[test]
    fn sealing_numbers_events_after_the_head_and_chains_them_so_they_verify() {
        let head = chain(2);
        let mut pending = vec![content(0), content(0)];
        pending[1].request_id = "second".into();
        let sealed = seal(2, hash_of(&head[1]), pending);
        assert_eq!(sealed.iter().map(|e| e.content.seq).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(sealed[1].content.request_id, "second");
        let whole: Vec<StoredEvent> = head.into_iter().chain(sealed).collect();
        assert_eq!(verify(&whole), Ok(4));
    }

    #[test]
    fn a_client_request_id_is_hashed_when_present_and_leaves_older_hashes_alone() {
        let without = content(1);
        let mut with = content(1);
        with.client_request_id = Some("erp-77".into());
        assert_ne!(without.chained_hash(&GENESIS_HASH), with.chained_hash(&GENESIS_HASH));
        assert!(
            !String::from_utf8(without.canonical_bytes())
                .unwrap()
                .contains("client_request_id")
        );
    }

    #[test]
    fn hex_is_lower_case_and_two_digits_per_byte() {
        assert_eq!(to_hex(&[0, 15, 255]), "000fff");
    }
}

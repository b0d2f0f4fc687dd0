//! Consignment use cases for exporters. Every query is scoped to the caller's organisation;
//! another organisation's consignment answers 404, so its existence is not revealed.

use super::compliance;
use super::input::from_value;
use super::views::{Page, timestamp, to_json};
use crate::db::audit::{self, Actor, Change};
pub use crate::db::consignments::ConsignmentFilter;
use crate::db::consignments::{self as store, IdempotencyRecord, NewConsignment};
use crate::domain::audit::AuditAction;
use crate::domain::canonical_json::to_canonical_bytes;
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::consignment::status::{ConsignmentStatus, ExporterEvent};
use crate::domain::field_violation::FieldViolation;
use crate::domain::pagination::TimeIdCursor;
use crate::domain::protocol::ProtocolCode;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::domain::protocol::check::ComplianceReport;
use crate::error::ApiError;
use chrono::{SubsecRound, Utc};
use diesel::PgConnection;
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A checked declaration: its protocol is known and its shape valid.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub protocol: ProtocolCode,
    pub body: ConsignmentBody,
}

/// Parses the protocol code of a shape-valid body.
pub fn declaration(body: ConsignmentBody) -> Result<Declaration, ApiError> {
    let protocol = ProtocolCode::parse(&body.protocol).ok_or_else(|| {
        ApiError::invalid(FieldViolation::new(
            "/protocol",
            "unknown_value",
            "The protocol must be vn-cn-durian-fresh-2022, vn-cn-durian-frozen-2024, vn-cn-coconut-fresh-2024 or vn-cn-crocodile-farmed-2024.",
        ))
    })?;
    Ok(Declaration { protocol, body })
}

/// The consignment as clients see it: the declaration's fields plus its metadata.
pub fn view(row: &store::Consignment) -> Value {
    view_with_body(row.body.clone(), row)
}

/// `view`, moving the declaration out of the row instead of copying it (reads answer with it).
pub fn into_view(mut row: store::Consignment) -> Value {
    view_with_body(row.body.take(), &row)
}

/// `RowFields` of a row read in full (`store::Consignment`) or as text (`ConsignmentText`).
macro_rules! row_fields {
    ($row:expr) => {
        RowFields {
            id: $row.id,
            organization_id: $row.organization_id,
            status: $row.status,
            version: $row.version,
            submitted_at: $row.submitted_at.map(timestamp),
            cancelled_at: $row.cancelled_at.map(timestamp),
            decided_at: $row.decided_at.map(timestamp),
            created_at: timestamp($row.created_at),
            updated_at: timestamp($row.updated_at),
        }
    };
}

/// The fields of the consignment row that every view shows beside the declaration's own and
/// the submission report.
#[derive(Serialize)]
struct RowFields {
    id: Uuid,
    organization_id: Uuid,
    status: ConsignmentStatus,
    version: i32,
    submitted_at: Option<String>,
    cancelled_at: Option<String>,
    decided_at: Option<String>,
    created_at: String,
    updated_at: String,
}

fn view_with_body(body: Value, row: &store::Consignment) -> Value {
    let mut map = match body {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if let Ok(Value::Object(fields)) = serde_json::to_value(row_fields!(row)) {
        map.extend(fields);
    }
    map.insert(
        "submission_report".into(),
        row.submission_report.clone().unwrap_or(Value::Null),
    );
    Value::Object(map)
}

/// `view` as JSON text, for an exporter's read: the stored declaration's members are copied as
/// PostgreSQL wrote them, not parsed, and the row's fields follow them, so that a parser that
/// keeps the last of two equal keys reads what `view` answers.
pub fn view_text(row: &store::ConsignmentText) -> Result<Vec<u8>, ApiError> {
    let members = object_members(&row.body.0).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "consignment {} has a declaration that is not a JSON object",
            row.id
        ))
    })?;
    let fields = serde_json::to_vec(&row_fields!(row)).map_err(|error| ApiError::Internal(error.into()))?;
    let report: &[u8] = row.submission_report.as_ref().map_or(b"null", |report| &report.0);
    let mut text = Vec::with_capacity(members.len() + fields.len() + report.len() + 32);
    text.push(b'{');
    if !members.is_empty() {
        text.extend_from_slice(members);
        text.push(b',');
    }
    // `fields` is an object: its members without the braces.
    text.extend_from_slice(&fields[1..fields.len() - 1]);
    text.extend_from_slice(b",\"submission_report\":");
    text.extend_from_slice(report);
    text.push(b'}');
    Ok(text)
}

/// The members of a JSON object's text, without its braces; `None` if it is not an object.
fn object_members(object: &[u8]) -> Option<&[u8]> {
    object
        .trim_ascii()
        .strip_prefix(b"{")?
        .strip_suffix(b"}")
        .map(<[u8]>::trim_ascii)
}

/// A declaration as the JSON that is stored.
pub fn body_json(body: &ConsignmentBody) -> Result<Value, ApiError> {
    to_json(body)
}

fn audit_change(
    connection: &mut PgConnection,
    actor: &Actor,
    action: AuditAction,
    row: &store::Consignment,
) -> Result<(), ApiError> {
    audit::append(
        connection,
        actor,
        Change {
            action,
            entity_id: row.id.to_string(),
            state: view(row),
        },
    )?;
    Ok(())
}

/// What creating answered.
#[derive(Debug, Clone)]
pub enum Created {
    New(Value),
    /// The same key and body were sent before: their response, unchanged.
    Replayed(Value),
}

/// Fingerprint of a request body, insensitive to key order and whitespace.
pub fn request_fingerprint(body: &Value) -> [u8; 32] {
    Sha256::digest(to_canonical_bytes(body)).into()
}

/// Looks up an idempotency key; `Some` when it was used before (replay or 422).
pub fn replay(
    connection: &mut PgConnection,
    organization_id: Uuid,
    key: &str,
    fingerprint: &[u8; 32],
) -> Result<Option<Created>, ApiError> {
    match store::find_idempotency_key(connection, organization_id, key)? {
        None => Ok(None),
        Some(record) if record.request_sha256.as_slice() == fingerprint.as_slice() => {
            Ok(Some(Created::Replayed(record.response_body)))
        }
        Some(_) => Err(ApiError::invalid(FieldViolation::new(
            "",
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different body; use a new key for a new consignment.",
        ))),
    }
}

/// A draft ready to be written: the row, its audit event, the idempotency claim (with a key)
/// and the response, all known before the statement runs.
pub struct Creation {
    new: NewConsignment,
    change: Change,
    claim: Option<IdempotencyRecord>,
    response: Value,
}

/// Prepares a draft's creation; nothing is written yet (`create` or `create_on_loop`).
pub fn creation(
    actor: &Actor,
    organization_id: Uuid,
    declaration: Declaration,
    idempotency: Option<(String, [u8; 32])>,
) -> Result<Creation, ApiError> {
    let now = Utc::now().trunc_subsecs(6);
    let new = NewConsignment {
        id: Uuid::now_v7(),
        organization_id,
        protocol: declaration.protocol,
        status: ConsignmentStatus::Draft,
        planned_departure_date: declaration.body.planned_departure_date,
        body: body_json(&declaration.body)?,
        version: 1,
        created_by_key_id: actor.key_id,
        created_at: now,
        updated_at: now,
    };
    let response = into_view(new.stored());
    let claim = idempotency.map(|(key, fingerprint)| IdempotencyRecord {
        organization_id,
        idempotency_key: key,
        request_sha256: fingerprint.to_vec(),
        consignment_id: new.id,
        response_body: response.clone(),
    });
    let change = Change {
        action: AuditAction::ConsignmentCreated,
        entity_id: new.id.to_string(),
        state: response.clone(),
    };
    Ok(Creation {
        new,
        change,
        claim,
        response,
    })
}

/// Creates a draft: one statement writes it with its audit event and, with an idempotency
/// key, claims the key. Of concurrent duplicates exactly one commits; the others get
/// `IdempotencyKeyInUse` and replay it (as does a repeat of a finished request).
pub fn create(connection: &mut PgConnection, actor: &Actor, creation: Creation) -> Result<Created, ApiError> {
    let outcome = store::insert(
        connection,
        &creation.new,
        actor,
        creation.change,
        creation.claim.as_ref(),
    )?;
    created(outcome, creation.response)
}

/// `create` on a worker's event loop (`db::loop_pool`).
pub async fn create_on_loop(
    connection: &mut AsyncPgConnection,
    actor: &Actor,
    creation: Creation,
) -> Result<Created, ApiError> {
    let outcome = store::insert_on_loop(
        connection,
        &creation.new,
        actor,
        creation.change,
        creation.claim.as_ref(),
    )
    .await?;
    created(outcome, creation.response)
}

fn created(outcome: store::Insert, response: Value) -> Result<Created, ApiError> {
    match outcome {
        store::Insert::Done => Ok(Created::New(response)),
        store::Insert::KeyTaken => Err(ApiError::IdempotencyKeyInUse),
    }
}

fn load(connection: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<store::Consignment, ApiError> {
    store::find_owned(connection, organization_id, id)?
        .ok_or_else(|| ApiError::not_found(format!("No consignment {id} of yours exists.")))
}

/// 409: the consignment's status does not allow `what` now.
pub fn not_now(row: &store::Consignment, what: &str) -> ApiError {
    ApiError::Conflict {
        code: "invalid_state",
        detail: format!("A {} consignment cannot be {what}.", row.status),
    }
}

fn lost_race() -> ApiError {
    ApiError::Conflict {
        code: "concurrent_update",
        detail: "The consignment changed while this request ran; reload it and retry.".into(),
    }
}

pub fn get(connection: &mut PgConnection, organization_id: Uuid, id: Uuid) -> Result<(Value, i32), ApiError> {
    let row = load(connection, organization_id, id)?;
    Ok((view(&row), row.version))
}

pub fn list(
    connection: &mut PgConnection,
    organization_id: Uuid,
    filter: &ConsignmentFilter,
    after: Option<TimeIdCursor>,
    limit: i64,
) -> Result<Page<Value>, ApiError> {
    let rows = store::list_page(connection, organization_id, filter, after, limit)?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            TimeIdCursor {
                created_at: row.created_at,
                id: row.id,
            }
            .encode()
        },
        |row| view(&row),
    ))
}

/// Applies a merge patch to the stored declaration, re-checks its shape, and
/// stores it if the version still matches.
pub fn patch(
    connection: &mut PgConnection,
    actor: &Actor,
    organization_id: Uuid,
    id: Uuid,
    if_match: i32,
    patch: &Value,
) -> Result<(Value, i32), ApiError> {
    let row = load(connection, organization_id, id)?;
    if row.version != if_match {
        return Err(ApiError::StaleVersion {
            entity: "consignment",
            current: row.version,
            expected: if_match,
        });
    }
    let status = row
        .status
        .after(ExporterEvent::Edit)
        .ok_or_else(|| not_now(&row, "edited"))?;
    let mut merged = row.body.clone();
    json_patch::merge(&mut merged, patch);
    let declaration = declaration(from_value::<ConsignmentBody>(merged)?)?;
    let body = body_json(&declaration.body)?;
    let updated = store::update_body(
        connection,
        id,
        row.version,
        status,
        declaration.protocol,
        declaration.body.planned_departure_date,
        &body,
    )?
    .ok_or_else(lost_race)?;
    audit_change(connection, actor, AuditAction::ConsignmentUpdated, &updated)?;
    Ok((view(&updated), updated.version))
}

/// The stored declaration of a consignment, parsed again.
pub fn stored_declaration(row: &store::Consignment) -> Result<Declaration, ApiError> {
    let body: ConsignmentBody = serde_json::from_value(row.body.clone()).map_err(|error| {
        ApiError::Internal(anyhow::anyhow!(
            "stored consignment {} no longer parses: {error}",
            row.id
        ))
    })?;
    declaration(body)
}

/// The compliance report of a stored consignment; changes nothing.
pub fn check_stored(
    connection: &mut PgConnection,
    versions: &[ProtocolVersion],
    organization_id: Uuid,
    id: Uuid,
) -> Result<ComplianceReport, ApiError> {
    let row = load(connection, organization_id, id)?;
    let declaration = stored_declaration(&row)?;
    compliance::run(
        connection,
        versions,
        declaration.protocol,
        &declaration.body,
        organization_id,
    )
}

/// Submits a draft or returned consignment if no error-level rule fails.
pub fn submit(
    connection: &mut PgConnection,
    actor: &Actor,
    versions: &[ProtocolVersion],
    organization_id: Uuid,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<(Value, i32), ApiError> {
    let row = load(connection, organization_id, id)?;
    if let Some(expected) = if_match.filter(|expected| *expected != row.version) {
        return Err(ApiError::StaleVersion {
            entity: "consignment",
            current: row.version,
            expected,
        });
    }
    let to = row
        .status
        .after(ExporterEvent::Submit)
        .ok_or_else(|| not_now(&row, "submitted"))?;
    let declaration = stored_declaration(&row)?;
    let report = compliance::run(
        connection,
        versions,
        declaration.protocol,
        &declaration.body,
        organization_id,
    )?;
    if !report.compliant {
        return Err(ApiError::ComplianceFailed(Box::new(report)));
    }
    let report_json = to_json(&report)?;
    let submitted =
        store::transition(connection, id, row.version, row.status, to, Some(&report_json))?.ok_or_else(lost_race)?;
    audit_change(connection, actor, AuditAction::ConsignmentSubmitted, &submitted)?;
    Ok((view(&submitted), submitted.version))
}

/// Cancels a consignment that is not yet decided.
pub fn cancel(
    connection: &mut PgConnection,
    actor: &Actor,
    organization_id: Uuid,
    id: Uuid,
) -> Result<(Value, i32), ApiError> {
    let row = load(connection, organization_id, id)?;
    let to = row
        .status
        .after(ExporterEvent::Cancel)
        .ok_or_else(|| not_now(&row, "cancelled"))?;
    let cancelled = store::transition(connection, id, row.version, row.status, to, None)?.ok_or_else(lost_race)?;
    audit_change(connection, actor, AuditAction::ConsignmentCancelled, &cancelled)?;
    Ok((view(&cancelled), cancelled.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::json_text::JsonText;
    use chrono::TimeZone;
    use serde_json::json;

    fn row(body: Value, submission_report: Option<Value>) -> store::Consignment {
        let at = |second| {
            Utc.with_ymd_and_hms(2026, 12, 4, 1, 0, second)
                .single()
                .expect("a time")
        };
        store::Consignment {
            id: Uuid::from_u128(1),
            organization_id: Uuid::from_u128(2),
            protocol: ProtocolCode::DurianFresh,
            status: ConsignmentStatus::Submitted,
            planned_departure_date: chrono::NaiveDate::from_ymd_opt(2027, 1, 5).expect("a date"),
            body,
            version: 3,
            submission_report,
            submitted_at: Some(at(2)),
            cancelled_at: None,
            decided_at: None,
            created_by_key_id: None,
            created_at: at(0),
            updated_at: at(2),
        }
    }

    /// The row as an exporter's read gets it, with PostgreSQL's `jsonb` text layout.
    fn as_text(row: &store::Consignment) -> store::ConsignmentText {
        let text = |value: &Value| JsonText(serde_json::to_string_pretty(value).expect("json").into_bytes());
        store::ConsignmentText {
            id: row.id,
            organization_id: row.organization_id,
            status: row.status,
            body: text(&row.body),
            version: row.version,
            submission_report: row.submission_report.as_ref().map(text),
            submitted_at: row.submitted_at,
            cancelled_at: row.cancelled_at,
            decided_at: row.decided_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    fn read_as_text(row: &store::Consignment) -> Value {
        serde_json::from_slice(&view_text(&as_text(row)).expect("an object")).expect("valid JSON")
    }

    #[test]
    fn the_text_view_reads_as_the_parsed_view() {
        let body = json!({"protocol": "vn-cn-durian-fresh-2022", "lots": [{"net_weight_kg": 12.5, "note": "é \"q\""}]});
        let report = json!({"passed": true, "findings": []});
        for row in [row(body.clone(), Some(report)), row(body, None)] {
            assert_eq!(read_as_text(&row), view(&row));
        }
    }

    #[test]
    fn an_empty_declaration_gives_the_row_fields_alone() {
        let row = row(json!({}), None);
        assert_eq!(read_as_text(&row), view(&row));
    }

    #[test]
    fn where_a_declaration_repeats_a_row_field_the_row_field_is_read_last() {
        let row = row(json!({"status": "draft", "version": 99}), None);
        let text = String::from_utf8(view_text(&as_text(&row)).expect("an object")).expect("text");
        let last = |key: &str| text.rfind(&format!("\"{key}\":")).expect("present");
        assert!(
            last("status") > text.find("\"draft\"").expect("the declaration's"),
            "{text}"
        );
        assert_eq!(read_as_text(&row)["version"], 3);
    }

    #[test]
    fn a_declaration_that_is_not_an_object_is_an_internal_error() {
        let mut text = as_text(&row(json!({}), None));
        text.body = JsonText(b"[1, 2]".to_vec());
        assert!(matches!(view_text(&text), Err(ApiError::Internal(_))));
    }
}

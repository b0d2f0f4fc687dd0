//! Importing a published establishment list: validated as a whole, planned by the domain
//! (`establishment_import::plan`), written with bulk statements and audited, all in the
//! caller's transaction.

use crate::db::audit::{self, Actor, Change};
use crate::db::establishment_imports::{self as import_store, ImportRecord};
use crate::db::establishments::{self as store, EstablishmentValues};
use crate::db::organizations;
use crate::db::status_periods::{self as period_store, NewStatusPeriod};
use crate::domain::audit::AuditAction;
use crate::domain::establishment::{Commodity, EstablishmentDraft, EstablishmentKind, LabScope};
use crate::domain::establishment_import::{Existing, ImportConflict, ImportSummary, ListFormat, ListMeta, plan};
use crate::domain::field_violation::FieldViolation;
use crate::domain::registry_status::{RegistryStatus, StatusPeriod};
use crate::error::ApiError;
use crate::service::views::to_json;
use chrono::NaiveDate;
use diesel::PgConnection;
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// The outcome of an import.
#[derive(Debug, Clone, Serialize)]
pub struct ImportResultView {
    pub id: Uuid,
    pub kind: String,
    pub commodity: String,
    pub list_date: NaiveDate,
    pub source: String,
    pub complete: bool,
    pub rows: usize,
    pub summary: ImportSummary,
    /// Codes on the list that a status change holds suspended or revoked on the list date: the
    /// list does not lift them; a person resolves each.
    pub conflicts: Vec<ImportConflict>,
}

/// Sets the holder of every row that names one by its tax code; 422 naming the rows whose tax
/// code belongs to no registered exporter.
fn assign_holders(
    connection: &mut PgConnection,
    drafts: &mut [EstablishmentDraft],
    holder_tax_codes: &[Option<String>],
) -> Result<(), ApiError> {
    let mut wanted: Vec<String> = holder_tax_codes.iter().flatten().cloned().collect();
    if wanted.is_empty() {
        return Ok(());
    }
    wanted.sort();
    wanted.dedup();
    let known: HashMap<String, Uuid> = organizations::exporters_by_tax_code(connection, &wanted)?
        .into_iter()
        .collect();
    let mut unknown = Vec::new();
    for (index, (draft, tax_code)) in drafts.iter_mut().zip(holder_tax_codes).enumerate() {
        let Some(tax_code) = tax_code else { continue };
        match known.get(tax_code) {
            Some(id) => draft.fields.holder_organization_id = Some(*id),
            None => unknown.push(FieldViolation::new(
                format!("/rows/{index}/holder_tax_code"),
                "unknown_exporter",
                format!(
                    "Row {}: no registered exporter has tax code {tax_code}; register it first.",
                    index + 1
                ),
            )),
        }
    }
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(unknown))
    }
}

/// Applies a validated list. Call inside a transaction; nothing is written unless all of it is.
pub fn import(
    connection: &mut PgConnection,
    actor: &Actor,
    meta: &ListMeta,
    mut drafts: Vec<EstablishmentDraft>,
    holder_tax_codes: &[Option<String>],
    format: ListFormat,
    content_sha256: [u8; 32],
) -> Result<ImportResultView, ApiError> {
    let started = std::time::Instant::now();
    assign_holders(connection, &mut drafts, holder_tax_codes)?;
    let import_id = Uuid::now_v7();
    let row_count = drafts.len();
    let codes: Vec<String> = drafts.iter().map(|draft| draft.code.clone()).collect();
    let found = store::for_import(connection, meta.kind, &codes, meta.complete.then_some(meta.commodity))?;
    let ids: Vec<Uuid> = found.iter().map(|row| row.id).collect();
    let mut periods_by_id: HashMap<Uuid, (Vec<StatusPeriod>, Vec<bool>)> = HashMap::new();
    for row in period_store::periods_for_commodity(connection, &ids, meta.commodity)? {
        let (periods, by_hand) = periods_by_id.entry(row.establishment_id).or_default();
        periods.push(row.period());
        // A period no import wrote was recorded by a person as a status change.
        by_hand.push(row.import_id.is_none());
    }
    let existing: Vec<Existing> = found
        .iter()
        .map(|row| Existing {
            id: row.id,
            code: row.code.clone(),
            fields: row.fields(),
            periods: periods_by_id
                .get(&row.id)
                .map(|(periods, _)| periods.clone())
                .unwrap_or_default(),
            recorded_by_hand: periods_by_id
                .remove(&row.id)
                .map(|(_, by_hand)| by_hand)
                .unwrap_or_default(),
        })
        .collect();
    let reference = format!("import {import_id}");
    let plan = plan(meta, drafts, existing, &reference, Uuid::now_v7);
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "import: loaded and planned"
    );

    // The import row first: the periods reference it.
    let summary = plan.summary;
    let plan_conflicts = plan.conflicts.clone();
    let to_i32 = |count: u64| i32::try_from(count).unwrap_or(i32::MAX);
    import_store::insert_import(
        connection,
        &ImportRecord {
            id: import_id,
            kind: meta.kind,
            commodity: meta.commodity,
            list_date: meta.list_date,
            source: meta.source.clone(),
            complete: meta.complete,
            format,
            row_count: i32::try_from(row_count).unwrap_or(i32::MAX),
            content_sha256: content_sha256.to_vec(),
            added: to_i32(summary.added),
            updated: to_i32(summary.updated),
            unchanged: to_i32(summary.unchanged),
            revoked: to_i32(summary.revoked),
            imported_by_key_id: actor.key_id,
        },
    )?;
    let (added, updated): (Vec<_>, Vec<_>) = plan.upserts.iter().partition(|(_, _, is_new)| *is_new);
    let new_values: Vec<EstablishmentValues> = added
        .iter()
        .map(|(id, draft, _)| EstablishmentValues::new(*id, draft))
        .collect();
    let changed_values: Vec<EstablishmentValues> = updated
        .iter()
        .map(|(id, draft, _)| EstablishmentValues::new(*id, draft))
        .collect();
    store::copy_new(connection, &new_values)?;
    store::upsert_many(connection, &changed_values)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "import: establishments written"
    );
    let periods: Vec<NewStatusPeriod> = plan
        .periods
        .iter()
        .map(|(establishment_id, period)| NewStatusPeriod {
            id: Uuid::now_v7(),
            establishment_id: *establishment_id,
            commodity: period.commodity,
            status: period.status,
            effective_from: period.effective_from,
            effective_until: period.effective_until,
            reason: None,
            reference: period.reference.clone(),
            import_id: Some(import_id),
            created_by_key_id: actor.key_id,
        })
        .collect();
    period_store::copy_periods(connection, &periods)?;
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "import: periods written"
    );

    let result = ImportResultView {
        id: import_id,
        kind: meta.kind.as_str().to_owned(),
        commodity: meta.commodity.as_str().to_owned(),
        list_date: meta.list_date,
        source: meta.source.clone(),
        complete: meta.complete,
        rows: row_count,
        summary,
        conflicts: plan_conflicts,
    };
    audit::append_many(
        connection,
        actor,
        import_changes(import_id, &result, &new_values, &changed_values, &periods)?,
    )?;
    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "import: audited");
    Ok(result)
}

/// One event for the import, then one per establishment it touched, carrying the new state
/// and the status periods the import gave it.
fn import_changes(
    import_id: Uuid,
    result: &ImportResultView,
    added: &[EstablishmentValues],
    updated: &[EstablishmentValues],
    periods: &[NewStatusPeriod],
) -> Result<Vec<Change>, ApiError> {
    let mut periods_of: HashMap<Uuid, Vec<&NewStatusPeriod>> = HashMap::new();
    for period in periods {
        periods_of.entry(period.establishment_id).or_default().push(period);
    }
    let mut changes = Vec::with_capacity(added.len() + updated.len() + periods_of.len() + 1);
    changes.push(Change {
        action: AuditAction::EstablishmentImportApplied,
        entity_id: import_id.to_string(),
        state: to_json(result)?,
    });
    let written = added
        .iter()
        .map(|value| (AuditAction::EstablishmentCreated, value))
        .chain(updated.iter().map(|value| (AuditAction::EstablishmentUpdated, value)));
    for (action, value) in written {
        let status_changes = periods_of.remove(&value.id).unwrap_or_default();
        changes.push(Change {
            action,
            entity_id: value.id.to_string(),
            state: to_json(&ImportedEstablishmentState::new(value, status_changes))?,
        });
    }
    let mut status_only: Vec<(Uuid, Vec<&NewStatusPeriod>)> = periods_of.into_iter().collect();
    status_only.sort_by_key(|(id, _)| *id);
    for (id, status_changes) in status_only {
        changes.push(Change {
            action: AuditAction::EstablishmentStatusChanged,
            entity_id: id.to_string(),
            state: serde_json::json!({ "id": id, "status_changes": status_changes.iter().map(|p| PeriodState::from(*p)).collect::<Vec<_>>() }),
        });
    }
    Ok(changes)
}

/// A status period as recorded in an audit event.
#[derive(Debug, Serialize)]
struct PeriodState<'a> {
    id: Uuid,
    commodity: Commodity,
    status: RegistryStatus,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    reference: &'a str,
    import_id: Option<Uuid>,
}

impl<'a> From<&'a NewStatusPeriod> for PeriodState<'a> {
    fn from(period: &'a NewStatusPeriod) -> Self {
        Self {
            id: period.id,
            commodity: period.commodity,
            status: period.status,
            effective_from: period.effective_from,
            effective_until: period.effective_until,
            reference: &period.reference,
            import_id: period.import_id,
        }
    }
}

/// The audited state of an establishment written by an import (timestamps are the database's).
#[derive(Debug, Serialize)]
struct ImportedEstablishmentState<'a> {
    id: Uuid,
    kind: EstablishmentKind,
    code: &'a str,
    name: &'a str,
    address: &'a str,
    province: Option<&'a str>,
    commodities: Vec<Commodity>,
    area_hectares: Option<f64>,
    cites_registration: Option<&'a str>,
    scopes: Vec<LabScope>,
    source_list: &'a str,
    source_date: NaiveDate,
    status_changes: Vec<PeriodState<'a>>,
}

impl<'a> ImportedEstablishmentState<'a> {
    fn new(value: &'a EstablishmentValues, status_changes: Vec<&'a NewStatusPeriod>) -> Self {
        Self {
            id: value.id,
            kind: value.kind,
            code: &value.code,
            name: &value.name,
            address: &value.address,
            province: value.province.as_deref(),
            commodities: value.commodities.iter().flatten().copied().collect(),
            area_hectares: value.area_hectares,
            cites_registration: value.cites_registration.as_deref(),
            scopes: value.scopes.iter().flatten().copied().collect(),
            source_list: &value.source_list,
            source_date: value.source_date,
            status_changes: status_changes.into_iter().map(PeriodState::from).collect(),
        }
    }
}

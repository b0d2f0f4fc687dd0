//! Use cases of the establishment registry. Each write and its audit events share the caller's
//! transaction.

use super::establishment_views::{
    AuthorizationView, EstablishmentDetailView, EstablishmentView, StatusPeriodView, status_on_view,
};
use super::views::{Page, to_json};
use crate::db::audit::{self, Actor, Change};
use crate::db::establishments::{
    self as store, Authorization, EstablishmentFilter, EstablishmentValues, ImportRecord, NewStatusPeriod,
};
use crate::db::organizations;
use crate::domain::establishment::{
    CodePatterns, EstablishmentDraft, EstablishmentInput, EstablishmentKind, normalize_code, validate_establishment,
};
use crate::domain::establishment_import::{Existing, ImportSummary, ListMeta, plan};
use crate::domain::field_violation::FieldViolation;
use crate::domain::organization::OrganizationKind;
use crate::domain::pagination::KindCodeCursor;
use crate::domain::registry_status::{StatusPeriod, check_window, contradiction};
use crate::error::ApiError;
use chrono::NaiveDate;
use diesel::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

fn not_found(kind: EstablishmentKind, code: &str) -> ApiError {
    ApiError::not_found(format!("No {} is registered under code {code}.", kind.as_str()))
}

fn load(connection: &mut PgConnection, kind: EstablishmentKind, code: &str) -> Result<store::Establishment, ApiError> {
    let code = normalize_code(code);
    store::find(connection, kind, &code)?.ok_or_else(|| not_found(kind, &code))
}

/// The holder must be a registered exporter.
fn check_exporter(connection: &mut PgConnection, id: Uuid, pointer: &str) -> Result<(), ApiError> {
    match organizations::find(connection, id)? {
        Some(organization) if OrganizationKind::parse(&organization.kind) == Some(OrganizationKind::Exporter) => Ok(()),
        Some(_) => Err(ApiError::invalid(FieldViolation::new(
            pointer,
            "not_an_exporter",
            "This organisation is not an exporter.",
        ))),
        None => Err(ApiError::invalid(FieldViolation::new(
            pointer,
            "unknown_organization",
            "No organisation has this id.",
        ))),
    }
}

pub fn create(
    connection: &mut PgConnection,
    actor: &Actor,
    draft: EstablishmentDraft,
) -> Result<EstablishmentView, ApiError> {
    if let Some(holder) = draft.fields.holder_organization_id {
        check_exporter(connection, holder, "/holder_organization_id")?;
    }
    let row =
        store::insert(connection, &EstablishmentValues::new(Uuid::now_v7(), &draft)).map_err(|error| match error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict {
                code: "establishment_exists",
                detail: format!(
                    "A {} with code {} is already registered.",
                    draft.kind.as_str(),
                    draft.code
                ),
            },
            other => other.into(),
        })?;
    let view = EstablishmentView::from(row);
    audit::append(
        connection,
        actor,
        Change {
            action: "establishment.created",
            entity_type: "establishment",
            entity_id: view.id.to_string(),
            state: to_json(&view)?,
        },
    )?;
    Ok(view)
}

pub fn detail(
    connection: &mut PgConnection,
    kind: EstablishmentKind,
    code: &str,
    on: NaiveDate,
) -> Result<EstablishmentDetailView, ApiError> {
    let row = load(connection, kind, code)?;
    let periods = store::periods_of(connection, row.id)?;
    let authorizations = store::authorizations_of(connection, row.id)?;
    let establishment = EstablishmentView::from(row);
    Ok(EstablishmentDetailView {
        status_on: status_on_view(&establishment.commodities, &periods, on),
        status_history: periods.iter().map(StatusPeriodView::from).collect(),
        authorizations: authorizations.into_iter().map(AuthorizationView::from).collect(),
        establishment,
    })
}

/// Descriptive fields a client may change; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct EstablishmentPatch {
    pub name: Option<String>,
    pub address: Option<String>,
    pub province: Option<Option<String>>,
    pub commodities: Option<Vec<String>>,
    pub holder_organization_id: Option<Option<Uuid>>,
    pub area_hectares: Option<Option<f64>>,
    pub cites_registration: Option<Option<String>>,
    pub scopes: Option<Vec<String>>,
    pub source: Option<(String, NaiveDate)>,
}

pub fn patch(
    connection: &mut PgConnection,
    actor: &Actor,
    patterns: &CodePatterns,
    kind: EstablishmentKind,
    code: &str,
    patch: EstablishmentPatch,
) -> Result<EstablishmentView, ApiError> {
    let current = load(connection, kind, code)?;
    let fields = current.fields();
    let (source_list, source_date) = patch.source.unwrap_or((fields.source.list.clone(), fields.source.date));
    let input = EstablishmentInput {
        kind: kind.as_str().to_owned(),
        code: current.code.clone(),
        name: patch.name.unwrap_or(fields.name),
        address: patch.address.unwrap_or(fields.address),
        province: patch.province.unwrap_or(fields.province),
        commodities: patch
            .commodities
            .unwrap_or_else(|| fields.commodities.iter().map(|c| c.as_str().to_owned()).collect()),
        holder_organization_id: patch.holder_organization_id.unwrap_or(fields.holder_organization_id),
        area_hectares: patch.area_hectares.unwrap_or(fields.area_hectares),
        cites_registration: patch.cites_registration.unwrap_or(fields.cites_registration),
        scopes: patch
            .scopes
            .unwrap_or_else(|| fields.scopes.iter().map(|s| s.as_str().to_owned()).collect()),
        source_list,
        source_date: Some(source_date),
    };
    let draft = validate_establishment(&input, patterns, "").map_err(ApiError::Validation)?;
    if let Some(holder) = draft
        .fields
        .holder_organization_id
        .filter(|h| Some(*h) != current.holder_organization_id)
    {
        check_exporter(connection, holder, "/holder_organization_id")?;
    }
    if draft.fields == current.fields() {
        return Ok(EstablishmentView::from(current));
    }
    let row = store::update(connection, &EstablishmentValues::new(current.id, &draft))?;
    let view = EstablishmentView::from(row);
    audit::append(
        connection,
        actor,
        Change {
            action: "establishment.updated",
            entity_type: "establishment",
            entity_id: view.id.to_string(),
            state: to_json(&view)?,
        },
    )?;
    Ok(view)
}

/// A status change as asked: one status for a window, for some or all of the commodities.
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub status: crate::domain::registry_status::RegistryStatus,
    pub commodities: Vec<crate::domain::establishment::Commodity>,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub reference: String,
}

pub fn add_status_change(
    connection: &mut PgConnection,
    actor: &Actor,
    kind: EstablishmentKind,
    code: &str,
    change: StatusChange,
) -> Result<Vec<StatusPeriodView>, ApiError> {
    check_window(change.effective_from, change.effective_until, "/effective_until").map_err(ApiError::invalid)?;
    let establishment = load(connection, kind, code)?;
    let fields = establishment.fields();
    let commodities = if change.commodities.is_empty() {
        fields.commodities.iter().copied().collect()
    } else {
        change.commodities.clone()
    };
    for (index, commodity) in commodities.iter().enumerate() {
        if !fields.commodities.contains(commodity) {
            return Err(ApiError::invalid(FieldViolation::new(
                format!("/commodities/{index}"),
                "not_registered_for_commodity",
                format!(
                    "{} {} is not registered for {}.",
                    kind.as_str(),
                    establishment.code,
                    commodity.as_str()
                ),
            )));
        }
    }
    let existing_rows = store::periods_of(connection, establishment.id)?;
    let existing: Vec<StatusPeriod> = existing_rows.iter().filter_map(|row| row.period()).collect();
    let new: Vec<StatusPeriod> = commodities
        .iter()
        .map(|commodity| StatusPeriod {
            commodity: *commodity,
            status: change.status,
            effective_from: change.effective_from,
            effective_until: change.effective_until,
            reference: change.reference.clone(),
        })
        .collect();
    if let Some(violation) = contradiction(&existing, &new) {
        return Err(ApiError::invalid(violation));
    }
    let rows: Vec<NewStatusPeriod> = new
        .iter()
        .map(|period| NewStatusPeriod {
            id: Uuid::now_v7(),
            establishment_id: establishment.id,
            commodity: period.commodity.as_str().to_owned(),
            status: period.status.as_str().to_owned(),
            effective_from: period.effective_from,
            effective_until: period.effective_until,
            reason: change.reason.clone(),
            reference: period.reference.clone(),
            import_id: None,
            created_by_key_id: actor.key_id,
        })
        .collect();
    let inserted: Vec<StatusPeriodView> = store::insert_periods(connection, &rows)?
        .iter()
        .map(StatusPeriodView::from)
        .collect();
    let changes = inserted
        .iter()
        .map(|period| {
            Ok(Change {
                action: "establishment.status_changed",
                entity_type: "establishment",
                entity_id: establishment.id.to_string(),
                state: to_json(period)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    audit::append_many(connection, actor, changes)?;
    Ok(inserted)
}

/// A code-use authorisation as asked.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub authorized_organization_id: Uuid,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub document_reference: String,
}

pub fn add_authorization(
    connection: &mut PgConnection,
    actor: &Actor,
    kind: EstablishmentKind,
    code: &str,
    request: AuthorizationRequest,
) -> Result<AuthorizationView, ApiError> {
    check_window(request.valid_from, Some(request.valid_until), "/valid_until").map_err(ApiError::invalid)?;
    let establishment = load(connection, kind, code)?;
    let holder = establishment.holder_organization_id.ok_or_else(|| {
        ApiError::invalid(FieldViolation::new(
            "/authorized_organization_id",
            "holder_unknown",
            "The code's holder is not recorded; set holder_organization_id on the establishment first.",
        ))
    })?;
    if holder == request.authorized_organization_id {
        return Err(ApiError::invalid(FieldViolation::new(
            "/authorized_organization_id",
            "is_holder",
            "The holder needs no authorisation to use its own code.",
        )));
    }
    check_exporter(
        connection,
        request.authorized_organization_id,
        "/authorized_organization_id",
    )?;
    let row = store::insert_authorization(
        connection,
        &Authorization {
            id: Uuid::now_v7(),
            establishment_id: establishment.id,
            holder_organization_id: holder,
            authorized_organization_id: request.authorized_organization_id,
            valid_from: request.valid_from,
            valid_until: request.valid_until,
            document_reference: request.document_reference,
            created_by_key_id: actor.key_id,
        },
    )?;
    let view = AuthorizationView::from(row);
    audit::append(
        connection,
        actor,
        Change {
            action: "establishment.authorization_added",
            entity_type: "establishment",
            entity_id: establishment.id.to_string(),
            state: to_json(&view)?,
        },
    )?;
    Ok(view)
}

pub fn list(
    connection: &mut PgConnection,
    filter: &EstablishmentFilter,
    after: Option<KindCodeCursor>,
    limit: i64,
) -> Result<Page<EstablishmentView>, ApiError> {
    let rows = store::list_page(
        connection,
        filter,
        after.map(|cursor| (cursor.kind, cursor.code)),
        limit,
    )?;
    Ok(Page::from_rows(
        rows,
        limit,
        |row| {
            KindCodeCursor {
                kind: row.kind.clone(),
                code: row.code.clone(),
            }
            .encode()
        },
        EstablishmentView::from,
    ))
}

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
}

/// Applies a validated list. Call inside a transaction; nothing is written unless all of it is.
pub fn import(
    connection: &mut PgConnection,
    actor: &Actor,
    meta: &ListMeta,
    drafts: Vec<EstablishmentDraft>,
    format: &str,
    content_sha256: [u8; 32],
) -> Result<ImportResultView, ApiError> {
    let started = std::time::Instant::now();
    let import_id = Uuid::now_v7();
    let row_count = drafts.len();
    let codes: Vec<String> = drafts.iter().map(|draft| draft.code.clone()).collect();
    let found = store::for_import(connection, meta.kind, &codes, meta.complete.then_some(meta.commodity))?;
    let ids: Vec<Uuid> = found.iter().map(|row| row.id).collect();
    let mut periods_by_id: HashMap<Uuid, Vec<StatusPeriod>> = HashMap::new();
    for row in store::periods_for_commodity(connection, &ids, meta.commodity)? {
        if let Some(period) = row.period() {
            periods_by_id.entry(row.establishment_id).or_default().push(period);
        }
    }
    let existing: Vec<Existing> = found
        .iter()
        .map(|row| Existing {
            id: row.id,
            code: row.code.clone(),
            fields: row.fields(),
            periods: periods_by_id.remove(&row.id).unwrap_or_default(),
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
    let to_i32 = |count: u64| i32::try_from(count).unwrap_or(i32::MAX);
    store::insert_import(
        connection,
        &ImportRecord {
            id: import_id,
            kind: meta.kind.as_str().to_owned(),
            commodity: meta.commodity.as_str().to_owned(),
            list_date: meta.list_date,
            source: meta.source.clone(),
            complete: meta.complete,
            format: format.to_owned(),
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
            commodity: period.commodity.as_str().to_owned(),
            status: period.status.as_str().to_owned(),
            effective_from: period.effective_from,
            effective_until: period.effective_until,
            reason: None,
            reference: period.reference.clone(),
            import_id: Some(import_id),
            created_by_key_id: actor.key_id,
        })
        .collect();
    store::copy_periods(connection, &periods)?;
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
        action: "establishment_import.applied",
        entity_type: "establishment_import",
        entity_id: import_id.to_string(),
        state: to_json(result)?,
    });
    let written = added
        .iter()
        .map(|value| ("establishment.created", value))
        .chain(updated.iter().map(|value| ("establishment.updated", value)));
    for (action, value) in written {
        let status_changes = periods_of.remove(&value.id).unwrap_or_default();
        changes.push(Change {
            action,
            entity_type: "establishment",
            entity_id: value.id.to_string(),
            state: to_json(&ImportedEstablishmentState::new(value, status_changes))?,
        });
    }
    let mut status_only: Vec<(Uuid, Vec<&NewStatusPeriod>)> = periods_of.into_iter().collect();
    status_only.sort_by_key(|(id, _)| *id);
    for (id, status_changes) in status_only {
        changes.push(Change {
            action: "establishment.status_changed",
            entity_type: "establishment",
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
    commodity: &'a str,
    status: &'a str,
    effective_from: NaiveDate,
    effective_until: Option<NaiveDate>,
    reference: &'a str,
    import_id: Option<Uuid>,
}

impl<'a> From<&'a NewStatusPeriod> for PeriodState<'a> {
    fn from(period: &'a NewStatusPeriod) -> Self {
        Self {
            id: period.id,
            commodity: &period.commodity,
            status: &period.status,
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
    kind: &'a str,
    code: &'a str,
    name: &'a str,
    address: &'a str,
    province: Option<&'a str>,
    commodities: Vec<&'a str>,
    area_hectares: Option<f64>,
    cites_registration: Option<&'a str>,
    scopes: Vec<&'a str>,
    source_list: &'a str,
    source_date: NaiveDate,
    status_changes: Vec<PeriodState<'a>>,
}

impl<'a> ImportedEstablishmentState<'a> {
    fn new(value: &'a EstablishmentValues, status_changes: Vec<&'a NewStatusPeriod>) -> Self {
        Self {
            id: value.id,
            kind: &value.kind,
            code: &value.code,
            name: &value.name,
            address: &value.address,
            province: value.province.as_deref(),
            commodities: value.commodities.iter().flatten().map(String::as_str).collect(),
            area_hectares: value.area_hectares,
            cites_registration: value.cites_registration.as_deref(),
            scopes: value.scopes.iter().flatten().map(String::as_str).collect(),
            source_list: &value.source_list,
            source_date: value.source_date,
            status_changes: status_changes.into_iter().map(PeriodState::from).collect(),
        }
    }
}

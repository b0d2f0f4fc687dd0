//! Use cases of the establishment registry. Each write and its audit events share the caller's
//! transaction.

use super::establishment_views::{
    AuthorizationView, EstablishmentDetailView, EstablishmentView, StatusPeriodView, status_on_view,
};
use super::views::{Page, to_json};
use crate::db::audit::{self, Actor, Change};
use crate::db::authorizations::{self as authorization_store, Authorization};
pub use crate::db::establishments::EstablishmentFilter;
use crate::db::establishments::{self as store, EstablishmentValues};
use crate::db::organizations;
use crate::db::status_periods::{self as period_store, NewStatusPeriod};
use crate::domain::audit::AuditAction;
use crate::domain::establishment::{
    CodePatterns, EstablishmentDraft, EstablishmentInput, EstablishmentKind, normalize_code, validate_establishment,
};
use crate::domain::field_violation::FieldViolation;
use crate::domain::organization::OrganizationKind;
use crate::domain::pagination::KindCodeCursor;
use crate::domain::registry_status::{StatusPeriod, check_window, contradiction};
use crate::error::ApiError;
use chrono::NaiveDate;
use diesel::PgConnection;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
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
        Some(organization) if organization.kind == OrganizationKind::Exporter => Ok(()),
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
            action: AuditAction::EstablishmentCreated,
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
    let periods = period_store::periods_of(connection, row.id)?;
    let authorizations = authorization_store::authorizations_of(connection, row.id)?;
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
            action: AuditAction::EstablishmentUpdated,
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
    let existing_rows = period_store::periods_of(connection, establishment.id)?;
    let existing: Vec<StatusPeriod> = existing_rows.iter().map(|row| row.period()).collect();
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
            commodity: period.commodity,
            status: period.status,
            effective_from: period.effective_from,
            effective_until: period.effective_until,
            reason: change.reason.clone(),
            reference: period.reference.clone(),
            import_id: None,
            created_by_key_id: actor.key_id,
        })
        .collect();
    let inserted: Vec<StatusPeriodView> = period_store::insert_periods(connection, &rows)?
        .iter()
        .map(StatusPeriodView::from)
        .collect();
    let changes = inserted
        .iter()
        .map(|period| {
            Ok(Change {
                action: AuditAction::EstablishmentStatusChanged,
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
    let row = authorization_store::insert_authorization(
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
            action: AuditAction::EstablishmentAuthorizationAdded,
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
                kind: row.kind.as_str().to_owned(),
                code: row.code.clone(),
            }
            .encode()
        },
        EstablishmentView::from,
    ))
}

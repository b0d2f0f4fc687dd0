//! Queries on `establishments`: the registry's entries, their listing and bulk writes for list
//! imports. Status periods, code-use authorisations and import records have modules of their
//! own.

use super::schema::establishments;
use crate::domain::establishment::{
    Commodity, EstablishmentDraft, EstablishmentFields, EstablishmentKind, LabScope, Source,
};
use crate::domain::registry_status::RegistryStatus;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text};
use uuid::Uuid;

/// Rows per multi-row INSERT: PostgreSQL allows 65,535 bind parameters per statement.
const ESTABLISHMENT_BATCH: usize = 4000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = establishments)]
pub struct Establishment {
    pub id: Uuid,
    pub kind: EstablishmentKind,
    pub code: String,
    pub name: String,
    pub address: String,
    pub province: Option<String>,
    pub commodities: Vec<Option<Commodity>>,
    pub holder_organization_id: Option<Uuid>,
    pub area_hectares: Option<f64>,
    pub cites_registration: Option<String>,
    pub scopes: Vec<Option<LabScope>>,
    pub source_list: String,
    pub source_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Establishment {
    /// The descriptive fields in domain form.
    pub fn fields(&self) -> EstablishmentFields {
        EstablishmentFields {
            name: self.name.clone(),
            address: self.address.clone(),
            province: self.province.clone(),
            commodities: self.commodities.iter().flatten().copied().collect(),
            holder_organization_id: self.holder_organization_id,
            area_hectares: self.area_hectares,
            cites_registration: self.cites_registration.clone(),
            scopes: self.scopes.iter().flatten().copied().collect(),
            source: Source {
                list: self.source_list.clone(),
                date: self.source_date,
            },
        }
    }
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = establishments)]
#[diesel(treat_none_as_null = true)]
#[diesel(treat_none_as_default_value = false)]
pub struct EstablishmentValues {
    pub id: Uuid,
    pub kind: EstablishmentKind,
    pub code: String,
    pub name: String,
    pub address: String,
    pub province: Option<String>,
    pub commodities: Vec<Option<Commodity>>,
    pub holder_organization_id: Option<Uuid>,
    pub area_hectares: Option<f64>,
    pub cites_registration: Option<String>,
    pub scopes: Vec<Option<LabScope>>,
    pub source_list: String,
    pub source_date: NaiveDate,
}

impl EstablishmentValues {
    pub fn new(id: Uuid, draft: &EstablishmentDraft) -> Self {
        let fields = &draft.fields;
        Self {
            id,
            kind: draft.kind,
            code: draft.code.clone(),
            name: fields.name.clone(),
            address: fields.address.clone(),
            province: fields.province.clone(),
            commodities: fields.commodities.iter().copied().map(Some).collect(),
            holder_organization_id: fields.holder_organization_id,
            area_hectares: fields.area_hectares,
            cites_registration: fields.cites_registration.clone(),
            scopes: fields.scopes.iter().copied().map(Some).collect(),
            source_list: fields.source.list.clone(),
            source_date: fields.source.date,
        }
    }
}

pub fn insert(connection: &mut PgConnection, values: &EstablishmentValues) -> QueryResult<Establishment> {
    diesel::insert_into(establishments::table)
        .values(values)
        .returning(Establishment::as_returning())
        .get_result(connection)
}

/// Overwrites the descriptive fields of an establishment (kind, code and id stay).
pub fn update(connection: &mut PgConnection, values: &EstablishmentValues) -> QueryResult<Establishment> {
    diesel::update(establishments::table.find(values.id))
        .set((values, establishments::updated_at.eq(diesel::dsl::now)))
        .returning(Establishment::as_returning())
        .get_result(connection)
}

/// Inserts many new establishments at once with COPY.
pub fn copy_new(connection: &mut PgConnection, values: &[EstablishmentValues]) -> QueryResult<usize> {
    if values.is_empty() {
        return Ok(0);
    }
    diesel::copy_from(establishments::table)
        .from_insertable(values)
        .execute(connection)
}

/// Overwrites the descriptive fields of existing establishments, in batches.
pub fn upsert_many(connection: &mut PgConnection, values: &[EstablishmentValues]) -> QueryResult<()> {
    use diesel::upsert::excluded;
    for batch in values.chunks(ESTABLISHMENT_BATCH) {
        diesel::insert_into(establishments::table)
            .values(batch)
            .on_conflict((establishments::kind, establishments::code))
            .do_update()
            .set((
                establishments::name.eq(excluded(establishments::name)),
                establishments::address.eq(excluded(establishments::address)),
                establishments::province.eq(excluded(establishments::province)),
                establishments::commodities.eq(excluded(establishments::commodities)),
                establishments::area_hectares.eq(excluded(establishments::area_hectares)),
                establishments::cites_registration.eq(excluded(establishments::cites_registration)),
                establishments::scopes.eq(excluded(establishments::scopes)),
                establishments::source_list.eq(excluded(establishments::source_list)),
                establishments::source_date.eq(excluded(establishments::source_date)),
                establishments::updated_at.eq(diesel::dsl::now),
            ))
            .execute(connection)?;
    }
    Ok(())
}

pub fn find(connection: &mut PgConnection, kind: EstablishmentKind, code: &str) -> QueryResult<Option<Establishment>> {
    establishments::table
        .filter(establishments::kind.eq(kind))
        .filter(establishments::code.eq(code))
        .select(Establishment::as_select())
        .first(connection)
        .optional()
}

/// Establishments of `kind` named in `codes`, and, when `absent_with` is given, every other
/// establishment of `kind` registered for that commodity.
pub fn for_import(
    connection: &mut PgConnection,
    kind: EstablishmentKind,
    codes: &[String],
    absent_with: Option<Commodity>,
) -> QueryResult<Vec<Establishment>> {
    let base = establishments::table
        .filter(establishments::kind.eq(kind))
        .select(Establishment::as_select());
    match absent_with {
        None => base.filter(establishments::code.eq_any(codes)).load(connection),
        Some(commodity) => base
            .filter(
                establishments::code.eq_any(codes).or(sql::<Bool>("")
                    .bind::<Text, _>(commodity.as_str())
                    .sql(" = ANY(establishments.commodities)")),
            )
            .load(connection),
    }
}

/// Filters of the establishment listing.
#[derive(Debug, Clone, Default)]
pub struct EstablishmentFilter {
    pub kind: Option<EstablishmentKind>,
    pub commodity: Option<Commodity>,
    pub province: Option<String>,
    /// Only establishments whose status for `commodity` on the date is this one.
    pub status_on: Option<(RegistryStatus, NaiveDate)>,
    /// Case-insensitive substring of the code or the name.
    pub text: Option<String>,
}

/// The SQL twin of `registry_status::status_on`: latest first day, then stricter status.
const STATUS_ON_SQL: &str = "(SELECT p.status FROM establishment_status_periods p \
    WHERE p.establishment_id = establishments.id AND p.commodity = ";

/// One page in (kind, code) order, one extra row to tell whether more follow.
pub fn list_page(
    connection: &mut PgConnection,
    filter: &EstablishmentFilter,
    after: Option<(String, String)>,
    limit: i64,
) -> QueryResult<Vec<Establishment>> {
    let mut query = establishments::table.select(Establishment::as_select()).into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(establishments::kind.eq(kind));
    }
    if let Some(commodity) = filter.commodity {
        query = query.filter(
            sql::<Bool>("")
                .bind::<Text, _>(commodity.as_str())
                .sql(" = ANY(establishments.commodities)"),
        );
        if let Some((status, date)) = filter.status_on {
            query = query.filter(
                sql::<Bool>(STATUS_ON_SQL)
                    .bind::<Text, _>(commodity.as_str())
                    .sql(" AND p.effective_from <= ")
                    .bind::<Date, _>(date)
                    .sql(" AND (p.effective_until IS NULL OR p.effective_until >= ")
                    .bind::<Date, _>(date)
                    .sql(") ORDER BY p.effective_from DESC, p.severity DESC LIMIT 1) = ")
                    .bind::<Text, _>(status.as_str()),
            );
        }
    }
    if let Some(province) = &filter.province {
        query = query.filter(establishments::province.eq(province.clone()));
    }
    if let Some(text) = &filter.text {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        query = query.filter(
            establishments::code
                .ilike(pattern.clone())
                .or(establishments::name.ilike(pattern)),
        );
    }
    if let Some((kind, code)) = after {
        query = query.filter(
            establishments::kind
                .gt(kind.clone())
                .or(establishments::kind.eq(kind).and(establishments::code.gt(code))),
        );
    }
    query
        .order((establishments::kind.asc(), establishments::code.asc()))
        .limit(limit + 1)
        .load(connection)
}

/// Establishments of one kind with any of these codes.
pub fn with_codes(
    connection: &mut PgConnection,
    kind: EstablishmentKind,
    codes: &[String],
) -> QueryResult<Vec<Establishment>> {
    establishments::table
        .filter(establishments::kind.eq(kind))
        .filter(establishments::code.eq_any(codes))
        .select(Establishment::as_select())
        .load(connection)
}

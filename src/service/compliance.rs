//! Running the protocol rules: loads the registry facts a consignment refers to, live, and
//! calls the pure check.

use crate::db::establishments as store;
use crate::domain::consignment::model::ConsignmentBody;
use crate::domain::establishment::EstablishmentKind;
use crate::domain::protocol::ProtocolCode;
use crate::domain::protocol::catalogue::ProtocolVersion;
use crate::domain::protocol::check::{ComplianceReport, Exporter, check_on_dates};
use crate::domain::protocol::facts::{
    EstablishmentFact, FactsOn, JudgedDate, RegistryFacts, as_of, commodity_of, declared_dates, referenced_codes,
};
use crate::domain::registry_status::status_on;
use crate::error::ApiError;
use diesel::PgConnection;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// What the registry says, on the departure date, about every establishment the body names.
pub fn load_facts(
    connection: &mut PgConnection,
    protocol: ProtocolCode,
    body: &ConsignmentBody,
) -> Result<RegistryFacts, ApiError> {
    load_facts_on(connection, protocol, body, as_of(body))
}

/// What the registry says, on `date`, about every establishment the body names.
pub fn load_facts_on(
    connection: &mut PgConnection,
    protocol: ProtocolCode,
    body: &ConsignmentBody,
    date: chrono::NaiveDate,
) -> Result<RegistryFacts, ApiError> {
    let commodity = commodity_of(protocol);
    let mut by_kind: BTreeMap<EstablishmentKind, Vec<String>> = BTreeMap::new();
    for (kind, code) in referenced_codes(body) {
        by_kind.entry(kind).or_default().push(code);
    }
    let mut rows = Vec::new();
    for (kind, codes) in by_kind {
        rows.extend(store::with_codes(connection, kind, &codes)?);
    }
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    let mut periods: HashMap<Uuid, Vec<_>> = HashMap::new();
    for row in crate::db::status_periods::periods_for_commodity(connection, &ids, commodity)? {
        periods.entry(row.establishment_id).or_default().push(row.period());
    }
    let mut authorized: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for authorization in crate::db::authorizations::authorizations_valid_on(connection, &ids, date)? {
        authorized
            .entry(authorization.establishment_id)
            .or_default()
            .push(authorization.authorized_organization_id);
    }
    let mut facts = RegistryFacts::default();
    for row in rows {
        let kind = row.kind;
        let fields = row.fields();
        let status = if fields.commodities.contains(&commodity) {
            status_on(
                periods.get(&row.id).map(Vec::as_slice).unwrap_or_default(),
                commodity,
                date,
            )
        } else {
            None
        };
        facts.insert(
            kind,
            &row.code,
            EstablishmentFact {
                status,
                holder_organization_id: row.holder_organization_id,
                authorized_organization_ids: authorized.remove(&row.id).unwrap_or_default(),
                scopes: fields.scopes,
            },
        );
    }
    Ok(facts)
}

/// Checks a body for an exporter, reading the registry live on the departure date and on the
/// other dates the declaration names (the production date of frozen durian).
pub fn run(
    connection: &mut PgConnection,
    versions: &[ProtocolVersion],
    protocol: ProtocolCode,
    body: &ConsignmentBody,
    exporter: Uuid,
) -> Result<ComplianceReport, ApiError> {
    run_on(connection, versions, protocol, body, exporter, &[])
}

/// As `run`, with the registry also judged on `dates` (the inspection dates and the day of
/// approval, when an inspector decides).
pub fn run_on(
    connection: &mut PgConnection,
    versions: &[ProtocolVersion],
    protocol: ProtocolCode,
    body: &ConsignmentBody,
    exporter: Uuid,
    dates: &[JudgedDate],
) -> Result<ComplianceReport, ApiError> {
    let facts = load_facts(connection, protocol, body)?;
    let mut judged = declared_dates(body);
    judged.extend(dates.iter().copied());
    judged.sort_by_key(|judged| judged.date);
    judged.dedup_by_key(|judged| judged.date);
    let mut other_dates = Vec::with_capacity(judged.len());
    for judged in judged.into_iter().filter(|judged| judged.date != as_of(body)) {
        other_dates.push(FactsOn {
            judged,
            facts: load_facts_on(connection, protocol, body, judged.date)?,
        });
    }
    check_on_dates(
        versions,
        protocol,
        body,
        &facts,
        &other_dates,
        Exporter {
            organization_id: exporter,
        },
    )
    .ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "protocol {} has no version in the catalogue",
            protocol.as_str()
        ))
    })
}

/// The version of `protocol` in force on `date`, or its latest for dates before any version.
pub fn version_for(
    versions: &[ProtocolVersion],
    protocol: ProtocolCode,
    date: chrono::NaiveDate,
) -> Result<&ProtocolVersion, ApiError> {
    crate::domain::protocol::catalogue::version_in_force(versions, protocol, date)
        .or_else(|| crate::domain::protocol::catalogue::latest(versions, protocol))
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no version of {}", protocol.as_str())))
}

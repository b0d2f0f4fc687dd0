//! Queries on `certificates`, `certificate_counters` and `signing_keys`.

use super::schema::{certificate_counters, certificates, signing_keys};
use crate::domain::certificate::{CertificateKind, CertificateStatus};
use crate::domain::organization::Authority;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use uuid::Uuid;

/// The next serial for a type and year. The counter row stays locked until the transaction
/// ends, so concurrent issuers queue and a rolled-back issue leaves no gap.
pub fn next_serial(connection: &mut PgConnection, kind: CertificateKind, year: i32) -> QueryResult<i64> {
    diesel::insert_into(certificate_counters::table)
        .values((
            certificate_counters::certificate_kind.eq(kind),
            certificate_counters::year.eq(year),
            certificate_counters::last_serial.eq(1_i64),
        ))
        .on_conflict((certificate_counters::certificate_kind, certificate_counters::year))
        .do_update()
        .set(
            certificate_counters::last_serial
                .eq(certificate_counters::last_serial + excluded(certificate_counters::last_serial)),
        )
        .returning(certificate_counters::last_serial)
        .get_result(connection)
}

/// Records a public key; refuses a different key under an existing id.
pub fn register_key(connection: &mut PgConnection, key_id: &str, public_key: &[u8]) -> QueryResult<bool> {
    diesel::insert_into(signing_keys::table)
        .values((signing_keys::key_id.eq(key_id), signing_keys::public_key.eq(public_key)))
        .on_conflict_do_nothing()
        .execute(connection)?;
    let stored: Vec<u8> = signing_keys::table
        .find(key_id)
        .select(signing_keys::public_key)
        .first(connection)?;
    Ok(stored == public_key)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub key_id: String,
    pub public_key: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

pub fn keys(connection: &mut PgConnection) -> QueryResult<Vec<SigningKeyRow>> {
    signing_keys::table
        .order(signing_keys::created_at.asc())
        .select(SigningKeyRow::as_select())
        .load(connection)
}

pub fn public_key(connection: &mut PgConnection, key_id: &str) -> QueryResult<Option<Vec<u8>>> {
    signing_keys::table
        .find(key_id)
        .select(signing_keys::public_key)
        .first(connection)
        .optional()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = certificates)]
#[diesel(treat_none_as_default_value = false)]
pub struct Certificate {
    pub id: Uuid,
    pub number: String,
    pub certificate_kind: CertificateKind,
    pub year: i32,
    pub serial: i64,
    pub consignment_id: Uuid,
    pub organization_id: Uuid,
    pub authority: Authority,
    pub authority_organization_id: Uuid,
    pub issued_at: DateTime<Utc>,
    pub payload: Vec<u8>,
    pub payload_sha256: Vec<u8>,
    pub signature: Vec<u8>,
    pub key_id: String,
    pub status: CertificateStatus,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    pub replaces_number: Option<String>,
    pub replaced_by_number: Option<String>,
}

pub fn insert(connection: &mut PgConnection, certificate: &Certificate) -> QueryResult<()> {
    diesel::insert_into(certificates::table)
        .values(certificate)
        .execute(connection)
        .map(|_| ())
}

pub fn find(connection: &mut PgConnection, number: &str) -> QueryResult<Option<Certificate>> {
    certificates::table
        .filter(certificates::number.eq(number))
        .select(Certificate::as_select())
        .first(connection)
        .optional()
}

/// Who may see a certificate.
#[derive(Debug, Clone)]
pub enum Visibility {
    Exporter(Uuid),
    Authority(Authority),
    All,
}

pub fn list_page(
    connection: &mut PgConnection,
    visibility: &Visibility,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Certificate>> {
    let mut query = certificates::table.select(Certificate::as_select()).into_boxed();
    match visibility {
        Visibility::Exporter(organization_id) => {
            query = query.filter(certificates::organization_id.eq(*organization_id))
        }
        Visibility::Authority(authority) => query = query.filter(certificates::authority.eq(*authority)),
        Visibility::All => {}
    }
    if let Some((issued_at, id)) = after {
        query = query.filter(
            certificates::issued_at
                .gt(issued_at)
                .or(certificates::issued_at.eq(issued_at).and(certificates::id.gt(id))),
        );
    }
    query
        .order((certificates::issued_at.asc(), certificates::id.asc()))
        .limit(limit + 1)
        .load(connection)
}

/// The one way a certificate's status changes: from `from` to `to` (which the domain's
/// certificate lifecycle computed). Revocation stamps the time and reason; replacement names
/// the successor. `None` when the certificate is no longer at `from`.
pub fn transition(
    connection: &mut PgConnection,
    number: &str,
    from: CertificateStatus,
    to: CertificateStatus,
    revocation_reason: Option<&str>,
    replaced_by: Option<&str>,
) -> QueryResult<Option<Certificate>> {
    let revoked = to == CertificateStatus::Revoked;
    diesel::update(
        certificates::table
            .filter(certificates::number.eq(number))
            .filter(certificates::status.eq(from)),
    )
    .set((
        certificates::status.eq(to),
        revoked.then(|| certificates::revoked_at.eq(Utc::now())),
        revocation_reason
            .filter(|_| revoked)
            .map(|reason| certificates::revocation_reason.eq(reason)),
        replaced_by
            .filter(|_| to == CertificateStatus::Replaced)
            .map(|by| certificates::replaced_by_number.eq(by)),
    ))
    .returning(Certificate::as_returning())
    .get_result(connection)
    .optional()
}

/// The serial `next_serial` will hand out next. The counter row is created if missing and
/// locked until the transaction ends, so it is indeed the next one even for the first
/// certificate of a year.
pub fn peek_next_serial(connection: &mut PgConnection, kind: CertificateKind, year: i32) -> QueryResult<i64> {
    diesel::insert_into(certificate_counters::table)
        .values((
            certificate_counters::certificate_kind.eq(kind),
            certificate_counters::year.eq(year),
            certificate_counters::last_serial.eq(0_i64),
        ))
        .on_conflict_do_nothing()
        .execute(connection)?;
    let last: i64 = certificate_counters::table
        .find((kind, year))
        .select(certificate_counters::last_serial)
        .for_update()
        .first(connection)?;
    Ok(last + 1)
}
/// A cached rendering of a certificate.
pub fn cached_document(connection: &mut PgConnection, number: &str, variant: &str) -> QueryResult<Option<Vec<u8>>> {
    use super::schema::certificate_documents;
    certificate_documents::table
        .find((number, variant))
        .select(certificate_documents::content)
        .first(connection)
        .optional()
}

/// Stores a rendering unless another request stored it first.
pub fn store_document(
    connection: &mut PgConnection,
    number: &str,
    variant: &str,
    content: &[u8],
    sha256: &[u8],
) -> QueryResult<()> {
    use super::schema::certificate_documents;
    diesel::insert_into(certificate_documents::table)
        .values((
            certificate_documents::certificate_number.eq(number),
            certificate_documents::variant.eq(variant),
            certificate_documents::media_type.eq("application/pdf"),
            certificate_documents::content.eq(content),
            certificate_documents::content_sha256.eq(sha256),
        ))
        .on_conflict_do_nothing()
        .execute(connection)
        .map(|_| ())
}

/// Records the verification code of a newly issued certificate.
pub fn insert_verification_code(connection: &mut PgConnection, number: &str, code: &str) -> QueryResult<()> {
    use super::schema::certificate_verification_codes as codes;
    diesel::insert_into(codes::table)
        .values((codes::certificate_number.eq(number), codes::code.eq(code)))
        .execute(connection)
        .map(|_| ())
}

/// A certificate's verification code.
pub fn verification_code(connection: &mut PgConnection, number: &str) -> QueryResult<Option<String>> {
    use super::schema::certificate_verification_codes as codes;
    codes::table
        .find(number)
        .select(codes::code)
        .first(connection)
        .optional()
}

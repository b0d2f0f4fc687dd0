//! Importing a published list of establishments: which rows add, change or leave alone an
//! establishment, which need an approval period, and, for a list declared complete, which
//! establishments absent from it are revoked. Pure: the shell loads what exists, calls `plan`,
//! and writes the plan in one transaction.

use super::establishment::{
    CodePatterns, Commodity, EstablishmentDraft, EstablishmentFields, EstablishmentInput, EstablishmentKind,
    validate_establishment,
};
use super::field_violation::FieldViolation;
use super::organization::TaxCode;
use super::registry_status::{RegistryStatus, StatusPeriod, deciding_period, status_on};
use super::text_enum::text_enum;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Most row violations reported for one refused list.
pub const MAX_REPORTED_VIOLATIONS: usize = 100;
/// Most rows one list may hold.
pub const MAX_ROWS: usize = 200_000;

text_enum! {
    /// The format a list arrived in.
    pub enum ListFormat {
        Json = "json",
        Csv = "csv",
    }
}

/// What the list is.
#[derive(Debug, Clone)]
pub struct ListMeta {
    pub kind: EstablishmentKind,
    pub commodity: Commodity,
    pub list_date: NaiveDate,
    pub source: String,
    /// Whether the list names every approved establishment of this kind for this commodity.
    pub complete: bool,
}

/// One row as read from JSON or CSV.
#[derive(Debug, Clone, Default)]
pub struct ImportRow {
    pub code: String,
    pub name: String,
    pub address: String,
    pub province: Option<String>,
    pub area_hectares: Option<f64>,
    pub cites_registration: Option<String>,
    pub scopes: Vec<String>,
    /// The tax code of the exporter holding the code, where the list says.
    pub holder_tax_code: Option<String>,
}

/// Checks every row against the list's kind and commodity; refuses the whole list on any
/// problem. Rows are numbered from 1 in messages and from 0 in pointers.
pub fn validate_rows(
    meta: &ListMeta,
    rows: &[ImportRow],
    patterns: &CodePatterns,
) -> Result<Vec<EstablishmentDraft>, Vec<FieldViolation>> {
    let mut violations = Vec::new();
    if rows.len() > MAX_ROWS {
        return Err(vec![FieldViolation::new(
            "/rows",
            "too_many_rows",
            format!("A list may hold at most {MAX_ROWS} rows; split it."),
        )]);
    }
    if !meta.kind.allowed_commodities().contains(&meta.commodity) {
        violations.push(FieldViolation::new(
            "/commodity",
            "not_allowed",
            format!(
                "A {} cannot be approved for {}.",
                meta.kind.as_str(),
                meta.commodity.as_str()
            ),
        ));
        return Err(violations);
    }
    let mut drafts = Vec::with_capacity(rows.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let input = EstablishmentInput {
            kind: meta.kind.as_str().to_owned(),
            code: row.code.clone(),
            name: row.name.clone(),
            address: row.address.clone(),
            province: row.province.clone(),
            commodities: vec![meta.commodity.as_str().to_owned()],
            holder_organization_id: None,
            area_hectares: row.area_hectares,
            cites_registration: row.cites_registration.clone(),
            scopes: row.scopes.clone(),
            source_list: meta.source.clone(),
            source_date: Some(meta.list_date),
        };
        let prefix = format!("/rows/{index}");
        if let Some(tax_code) = row
            .holder_tax_code
            .as_deref()
            .filter(|code| TaxCode::parse(code).is_none())
        {
            violations.push(FieldViolation::new(
                format!("{prefix}/holder_tax_code"),
                "invalid_format",
                format!(
                    "Row {}: {tax_code:?} is not a tax code (10 digits, or 10 digits, a dash and 3).",
                    index + 1
                ),
            ));
        }
        match validate_establishment(&input, patterns, &prefix) {
            Ok(draft) => {
                if let Some(first) = seen.insert(draft.code.clone(), index) {
                    violations.push(FieldViolation::new(
                        format!("{prefix}/code"),
                        "duplicate_code",
                        format!(
                            "Row {}: code {} already appears in row {}.",
                            index + 1,
                            draft.code,
                            first + 1
                        ),
                    ));
                }
                drafts.push(draft);
            }
            Err(found) => violations.extend(found.into_iter().map(|violation| FieldViolation {
                message: format!("Row {}: {}", index + 1, violation.message),
                ..violation
            })),
        }
        if violations.len() >= MAX_REPORTED_VIOLATIONS {
            break;
        }
    }
    if violations.is_empty() {
        Ok(drafts)
    } else {
        Err(violations)
    }
}

/// An establishment already registered, with its periods for the list's commodity.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: Uuid,
    pub code: String,
    pub fields: EstablishmentFields,
    pub periods: Vec<StatusPeriod>,
    /// Which of `periods` a person recorded as a status change (not an earlier import): a
    /// suspension or revocation among them is never lifted by a list.
    pub recorded_by_hand: Vec<bool>,
}

/// A code on the list that a status change holds suspended or revoked on the list date: the
/// list does not lift it; a person decides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportConflict {
    pub code: String,
    pub status: RegistryStatus,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub reference: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub revoked: u64,
}

/// What to write.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// Establishments to insert (new id) or overwrite (existing id), with whether they are new.
    pub upserts: Vec<(Uuid, EstablishmentDraft, bool)>,
    /// Status periods to add.
    pub periods: Vec<(Uuid, StatusPeriod)>,
    pub summary: ImportSummary,
    pub conflicts: Vec<ImportConflict>,
}

/// The suspension or revocation a person recorded that applies on `date`, if any.
fn hold_on(existing: &Existing, commodity: Commodity, date: NaiveDate) -> Option<&StatusPeriod> {
    let deciding = deciding_period(existing.periods.iter(), commodity, date)?;
    let index = existing
        .periods
        .iter()
        .position(|period| std::ptr::eq(period, deciding))?;
    let by_hand = existing.recorded_by_hand.get(index).copied().unwrap_or(false);
    (by_hand && deciding.status != RegistryStatus::Approved).then_some(deciding)
}

fn merge(existing: &EstablishmentFields, row: &EstablishmentFields) -> EstablishmentFields {
    let mut commodities = existing.commodities.clone();
    commodities.extend(row.commodities.iter().copied());
    let mut scopes = existing.scopes.clone();
    scopes.extend(row.scopes.iter().copied());
    EstablishmentFields {
        name: row.name.clone(),
        address: row.address.clone(),
        province: row.province.clone().or_else(|| existing.province.clone()),
        commodities,
        // The list names the holder when it knows it; otherwise the recorded holder stays.
        holder_organization_id: row.holder_organization_id.or(existing.holder_organization_id),
        area_hectares: row.area_hectares.or(existing.area_hectares),
        cites_registration: row
            .cites_registration
            .clone()
            .or_else(|| existing.cites_registration.clone()),
        scopes,
        source: row.source.clone(),
    }
}

/// Decides what the list changes. `existing` holds every establishment of the list's kind that
/// is named in the list or, for a complete list, approved for its commodity. `new_id` supplies
/// ids for added establishments; `revocation_reference` names the import in revocation periods.
pub fn plan(
    meta: &ListMeta,
    rows: Vec<EstablishmentDraft>,
    existing: Vec<Existing>,
    revocation_reference: &str,
    mut new_id: impl FnMut() -> Uuid,
) -> ImportPlan {
    let mut plan = ImportPlan::default();
    let approval = |reference: &str| StatusPeriod {
        commodity: meta.commodity,
        status: RegistryStatus::Approved,
        effective_from: meta.list_date,
        effective_until: None,
        reference: reference.to_owned(),
    };
    let listed: HashSet<String> = rows.iter().map(|row| row.code.clone()).collect();
    let mut by_code: HashMap<String, Existing> = existing.into_iter().map(|e| (e.code.clone(), e)).collect();
    for row in rows {
        match by_code.remove(&row.code) {
            None => {
                let id = new_id();
                plan.periods.push((id, approval(&meta.source)));
                plan.upserts.push((id, row, true));
                plan.summary.added += 1;
            }
            Some(current) => {
                let merged = merge(&current.fields, &row.fields);
                // A later edition of a list that repeats the same details is no change: the
                // record keeps the source it came from.
                let changed = EstablishmentFields {
                    source: current.fields.source.clone(),
                    ..merged.clone()
                } != current.fields;
                let approved =
                    status_on(&current.periods, meta.commodity, meta.list_date) == Some(RegistryStatus::Approved);
                if !approved {
                    match hold_on(&current, meta.commodity, meta.list_date) {
                        // A suspension or revocation recorded by a person stays in force for
                        // its window; the list's approval applies only after it.
                        Some(hold) => {
                            plan.conflicts.push(ImportConflict {
                                code: row.code.clone(),
                                status: hold.status,
                                effective_from: hold.effective_from,
                                effective_until: hold.effective_until,
                                reference: hold.reference.clone(),
                            });
                            if let Some(after) = hold.effective_until.and_then(|until| until.succ_opt()) {
                                plan.periods.push((
                                    current.id,
                                    StatusPeriod {
                                        effective_from: after,
                                        ..approval(&meta.source)
                                    },
                                ));
                            }
                        }
                        None => plan.periods.push((current.id, approval(&meta.source))),
                    }
                }
                if changed {
                    plan.upserts.push((
                        current.id,
                        EstablishmentDraft {
                            kind: row.kind,
                            code: row.code,
                            fields: merged,
                        },
                        false,
                    ));
                }
                if changed || !approved {
                    plan.summary.updated += 1;
                } else {
                    plan.summary.unchanged += 1;
                }
            }
        }
    }
    if meta.complete {
        let mut absent: Vec<Existing> = by_code.into_values().filter(|e| !listed.contains(&e.code)).collect();
        absent.sort_by(|a, b| a.code.cmp(&b.code));
        for establishment in absent {
            let status = status_on(&establishment.periods, meta.commodity, meta.list_date);
            if matches!(status, Some(RegistryStatus::Approved | RegistryStatus::Suspended)) {
                plan.periods.push((
                    establishment.id,
                    StatusPeriod {
                        commodity: meta.commodity,
                        status: RegistryStatus::Revoked,
                        effective_from: meta.list_date,
                        effective_until: None,
                        reference: revocation_reference.to_owned(),
                    },
                ));
                plan.summary.revoked += 1;
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::establishment::Source;

    fn meta(complete: bool) -> ListMeta {
        ListMeta {
            kind: EstablishmentKind::PackingHouse,
            commodity: Commodity::Durian,
            list_date: "2024-07-01".parse().unwrap(),
            source: "GACC PHC list 2024-07-01".into(),
            complete,
        }
    }

    fn row(code: &str, name: &str) -> ImportRow {
        ImportRow {
            code: code.into(),
            name: name.into(),
            address: "Bến Tre".into(),
            ..Default::default()
        }
    }

    fn drafts(rows: &[ImportRow]) -> Vec<EstablishmentDraft> {
        validate_rows(&meta(true), rows, &CodePatterns::defaults()).unwrap()
    }

    fn existing_from(draft: &EstablishmentDraft, periods: Vec<StatusPeriod>) -> Existing {
        Existing {
            id: Uuid::new_v4(),
            code: draft.code.clone(),
            fields: draft.fields.clone(),
            recorded_by_hand: vec![false; periods.len()],
            periods,
        }
    }

    fn suspended_by_hand(from: &str, until: Option<&str>) -> StatusPeriod {
        StatusPeriod {
            commodity: Commodity::Durian,
            status: RegistryStatus::Suspended,
            effective_from: from.parse().unwrap(),
            effective_until: until.map(|until| until.parse().unwrap()),
            reference: "GACC notice 2024-06".into(),
        }
    }

    #[test]
    fn a_suspension_recorded_by_hand_is_not_lifted_by_a_list_and_is_reported_as_a_conflict() {
        let rows = drafts(&[row("VN-BTPH-001", "A")]);
        let mut current = existing_from(
            &rows[0],
            vec![approved_since("2023-01-01"), suspended_by_hand("2024-06-12", None)],
        );
        current.recorded_by_hand = vec![false, true];
        let plan = plan(&meta(false), rows, vec![current], "import", Uuid::new_v4);
        assert!(plan.periods.is_empty(), "{:?}", plan.periods);
        assert_eq!(plan.conflicts.len(), 1);
        assert_eq!(plan.conflicts[0].code, "VN-BTPH-001");
        assert_eq!(plan.conflicts[0].status, RegistryStatus::Suspended);
    }

    #[test]
    fn a_suspension_with_an_end_keeps_its_window_and_the_list_approves_from_the_day_after() {
        let rows = drafts(&[row("VN-BTPH-001", "A")]);
        let mut current = existing_from(
            &rows[0],
            vec![
                approved_since("2023-01-01"),
                suspended_by_hand("2024-06-12", Some("2024-09-30")),
            ],
        );
        current.recorded_by_hand = vec![false, true];
        let plan = plan(&meta(false), rows, vec![current], "import", Uuid::new_v4);
        assert_eq!(plan.conflicts.len(), 1);
        assert_eq!(plan.periods.len(), 1);
        assert_eq!(plan.periods[0].1.effective_from.to_string(), "2024-10-01");
    }

    fn approved_since(date: &str) -> StatusPeriod {
        StatusPeriod {
            commodity: Commodity::Durian,
            status: RegistryStatus::Approved,
            effective_from: date.parse().unwrap(),
            effective_until: None,
            reference: "earlier list".into(),
        }
    }

    #[test]
    fn a_bad_row_is_reported_by_number_and_pointer() {
        let rows = [row("VN-BTPH-001", "A"), row("bad code", "B"), row("VN-BTPH-003", "")];
        let violations = validate_rows(&meta(false), &rows, &CodePatterns::defaults()).unwrap_err();
        let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(pointers, ["/rows/1/code", "/rows/2/name"]);
        assert!(
            violations[0].message.starts_with("Row 2: "),
            "{}",
            violations[0].message
        );
    }

    #[test]
    fn a_code_listed_twice_is_refused() {
        let rows = [row("VN-BTPH-001", "A"), row("vn-btph-001", "A again")];
        let violations = validate_rows(&meta(false), &rows, &CodePatterns::defaults()).unwrap_err();
        assert_eq!(violations[0].code, "duplicate_code");
    }

    #[test]
    fn new_codes_are_added_with_an_approval_from_the_list_date() {
        let plan = plan(
            &meta(false),
            drafts(&[row("VN-BTPH-001", "A")]),
            vec![],
            "import 1",
            Uuid::new_v4,
        );
        assert_eq!(
            plan.summary,
            ImportSummary {
                added: 1,
                ..Default::default()
            }
        );
        assert_eq!(plan.periods[0].1.status, RegistryStatus::Approved);
        assert_eq!(plan.periods[0].1.effective_from.to_string(), "2024-07-01");
        assert_eq!(plan.upserts[0].0, plan.periods[0].0);
    }

    #[test]
    fn the_same_list_again_changes_nothing() {
        let rows = drafts(&[row("VN-BTPH-001", "A")]);
        let existing = vec![existing_from(&rows[0], vec![approved_since("2024-07-01")])];
        let plan = plan(&meta(true), rows, existing, "import 2", Uuid::new_v4);
        assert_eq!(
            plan.summary,
            ImportSummary {
                unchanged: 1,
                ..Default::default()
            }
        );
        assert!(plan.upserts.is_empty() && plan.periods.is_empty());
    }

    #[test]
    fn a_later_edition_with_the_same_details_changes_nothing() {
        let rows = drafts(&[row("VN-BTPH-001", "A")]);
        let mut before = rows[0].clone();
        before.fields.source = Source {
            list: "older list".into(),
            date: "2024-01-01".parse().unwrap(),
        };
        let plan = plan(
            &meta(false),
            rows,
            vec![existing_from(&before, vec![approved_since("2024-01-01")])],
            "i",
            Uuid::new_v4,
        );
        assert_eq!(
            plan.summary,
            ImportSummary {
                unchanged: 1,
                ..Default::default()
            }
        );
        assert!(plan.upserts.is_empty());
    }

    #[test]
    fn a_changed_name_is_an_update_without_a_new_period() {
        let rows = drafts(&[row("VN-BTPH-001", "A renamed")]);
        let mut before = rows[0].clone();
        before.fields.name = "A".into();
        let plan = plan(
            &meta(false),
            rows,
            vec![existing_from(&before, vec![approved_since("2023-01-01")])],
            "i",
            Uuid::new_v4,
        );
        assert_eq!(
            plan.summary,
            ImportSummary {
                updated: 1,
                ..Default::default()
            }
        );
        assert!(plan.periods.is_empty());
        assert_eq!(plan.upserts[0].1.fields.name, "A renamed");
    }

    #[test]
    fn a_listed_code_that_was_revoked_is_approved_again() {
        let rows = drafts(&[row("VN-BTPH-001", "A")]);
        let revoked = StatusPeriod {
            status: RegistryStatus::Revoked,
            ..approved_since("2024-01-01")
        };
        let plan = plan(
            &meta(false),
            rows.clone(),
            vec![existing_from(&rows[0], vec![revoked])],
            "i",
            Uuid::new_v4,
        );
        assert_eq!(plan.summary.updated, 1);
        assert_eq!(plan.periods[0].1.status, RegistryStatus::Approved);
    }

    #[test]
    fn a_complete_list_revokes_approved_and_suspended_codes_it_omits() {
        let listed = drafts(&[row("VN-BTPH-001", "A")]);
        let omitted = drafts(&[
            row("VN-BTPH-002", "B"),
            row("VN-BTPH-003", "C"),
            row("VN-BTPH-004", "D"),
        ]);
        let suspended = StatusPeriod {
            status: RegistryStatus::Suspended,
            ..approved_since("2024-06-12")
        };
        let revoked = StatusPeriod {
            status: RegistryStatus::Revoked,
            ..approved_since("2024-06-12")
        };
        let existing = vec![
            existing_from(&listed[0], vec![approved_since("2023-01-01")]),
            existing_from(&omitted[0], vec![approved_since("2023-01-01")]),
            existing_from(&omitted[1], vec![approved_since("2023-01-01"), suspended]),
            existing_from(&omitted[2], vec![approved_since("2023-01-01"), revoked]),
        ];
        let plan = plan(&meta(true), listed, existing, "import 9", Uuid::new_v4);
        assert_eq!(
            plan.summary,
            ImportSummary {
                unchanged: 1,
                revoked: 2,
                ..Default::default()
            }
        );
        assert!(
            plan.periods
                .iter()
                .all(|(_, p)| p.status == RegistryStatus::Revoked && p.reference == "import 9")
        );
    }

    #[test]
    fn an_incomplete_list_revokes_nothing() {
        let omitted = drafts(&[row("VN-BTPH-002", "B")]);
        let plan = plan(
            &meta(false),
            vec![],
            vec![existing_from(&omitted[0], vec![approved_since("2023-01-01")])],
            "i",
            Uuid::new_v4,
        );
        assert_eq!(plan.summary, ImportSummary::default());
    }

    #[test]
    fn merging_keeps_the_holder_and_adds_the_commodity() {
        let rows = drafts(&[row("VN-BTPH-001", "A")]);
        let mut before = rows[0].clone();
        before.fields.commodities = [Commodity::Coconut].into();
        before.fields.holder_organization_id = Some(Uuid::from_u128(5));
        before.fields.source = Source {
            list: "coconut list".into(),
            date: "2024-01-01".parse().unwrap(),
        };
        let plan = plan(
            &meta(false),
            rows,
            vec![existing_from(&before, vec![])],
            "i",
            Uuid::new_v4,
        );
        let merged = &plan.upserts[0].1.fields;
        assert_eq!(merged.commodities, [Commodity::Coconut, Commodity::Durian].into());
        assert_eq!(merged.holder_organization_id, Some(Uuid::from_u128(5)));
    }
}

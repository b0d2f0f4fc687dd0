//! Reading a published establishment list from CSV: a header row naming the columns, then one
//! establishment per row. Columns: `code`, `name`, `address` (required), `province`,
//! `area_hectares`, `cites_registration`, `scopes` (several separated by `;`).

use crate::domain::establishment_import::{ImportRow, MAX_REPORTED_VIOLATIONS};
use crate::domain::field_violation::FieldViolation;

const COLUMNS: [&str; 8] = [
    "code",
    "name",
    "address",
    "province",
    "area_hectares",
    "cites_registration",
    "scopes",
    "holder_tax_code",
];
const REQUIRED: [&str; 3] = ["code", "name", "address"];

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Parses the CSV; every problem names its row (1 = first row after the header).
pub fn parse_rows(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<FieldViolation>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.trim().to_ascii_lowercase()).collect(),
        Err(error) => {
            return Err(vec![FieldViolation::new(
                "/header",
                "unreadable_csv",
                format!("The header row cannot be read: {error}"),
            )]);
        }
    };
    let mut violations = Vec::new();
    for (index, header) in headers.iter().enumerate() {
        if !COLUMNS.contains(&header.as_str()) {
            violations.push(FieldViolation::new(
                format!("/header/{index}"),
                "unknown_column",
                format!("Column {header:?} is not one of: {}.", COLUMNS.join(", ")),
            ));
        }
    }
    for required in REQUIRED {
        if !headers.iter().any(|header| header == required) {
            violations.push(FieldViolation::new(
                "/header",
                "missing_column",
                format!("The header needs a {required} column."),
            ));
        }
    }
    if !violations.is_empty() {
        return Err(violations);
    }
    let column = |name: &str| headers.iter().position(|header| header == name);
    let (code, name, address) = (column("code"), column("name"), column("address"));
    let holder = column("holder_tax_code");
    let (province, area, cites, scopes) = (
        column("province"),
        column("area_hectares"),
        column("cites_registration"),
        column("scopes"),
    );
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                violations.push(FieldViolation::new(
                    format!("/rows/{index}"),
                    "unreadable_row",
                    format!("Row {}: {error}", index + 1),
                ));
                if violations.len() >= MAX_REPORTED_VIOLATIONS {
                    break;
                }
                continue;
            }
        };
        let cell = |position: Option<usize>| position.and_then(|p| record.get(p)).unwrap_or_default();
        let area_hectares = match optional(cell(area)) {
            None => None,
            Some(text) => match text.replace(',', ".").parse::<f64>() {
                Ok(value) => Some(value),
                Err(_) => {
                    violations.push(FieldViolation::new(
                        format!("/rows/{index}/area_hectares"),
                        "invalid_type",
                        format!("Row {}: the area {text:?} is not a number of hectares.", index + 1),
                    ));
                    None
                }
            },
        };
        rows.push(ImportRow {
            code: cell(code).to_owned(),
            name: cell(name).to_owned(),
            address: cell(address).to_owned(),
            province: optional(cell(province)),
            area_hectares,
            cites_registration: optional(cell(cites)),
            scopes: cell(scopes).split(';').filter_map(optional).collect(),
            holder_tax_code: optional(cell(holder)),
        });
    }
    if violations.is_empty() {
        Ok(rows)
    } else {
        Err(violations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_by_header_name_with_quotes_and_a_byte_order_mark() {
        let csv = "\u{feff}name,code,address,scopes\n\"Vina T&T, Bến Tre\",vn-btph-036,\"Chợ Lách\",\nLab,VILAS-1,HCMC,cadmium; auramine_o\n";
        let rows = parse_rows(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Vina T&T, Bến Tre");
        assert_eq!(rows[0].code, "vn-btph-036");
        assert_eq!(rows[1].scopes, ["cadmium", "auramine_o"]);
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let violations = parse_rows(b"code,label\nX,Y\n").unwrap_err();
        let codes: Vec<&str> = violations.iter().map(|v| v.code.as_str()).collect();
        assert_eq!(codes, ["unknown_column", "missing_column", "missing_column"]);
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_is_named() {
        let violations = parse_rows(b"code,name,address\nA,B,C\nD,E\n").unwrap_err();
        assert_eq!(violations[0].pointer, "/rows/1");
        assert!(violations[0].message.starts_with("Row 2:"));
    }

    #[test]
    fn an_area_that_is_not_a_number_is_named() {
        let violations = parse_rows(b"code,name,address,area_hectares\nA,B,C,big\n").unwrap_err();
        assert_eq!(violations[0].pointer, "/rows/0/area_hectares");
    }
}

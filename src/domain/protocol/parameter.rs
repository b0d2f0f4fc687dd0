//! Protocol parameters: a value a rule compares against, with its unit, how well the sources
//! back it, and where it comes from. Each protocol holds its parameters as a typed struct, so a
//! rule reads a field (a missing one does not compile); the published list is generated from
//! the same fields.

use super::Confidence;
use chrono::NaiveDate;
use serde::Serialize;

/// One typed parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter<T> {
    pub name: &'static str,
    pub value: T,
    pub unit: Option<&'static str>,
    pub confidence: Confidence,
    pub source: String,
}

impl<T> Parameter<T> {
    /// Backed by a cited source.
    pub fn confirmed(name: &'static str, value: T, unit: Option<&'static str>, source: &str) -> Self {
        Self {
            name,
            value,
            unit,
            confidence: Confidence::Confirmed,
            source: source.to_owned(),
        }
    }

    /// Recalled or inferred: configurable, and shown with its source.
    pub fn uncertain(name: &'static str, value: T, unit: Option<&'static str>, source: &str) -> Self {
        Self {
            confidence: Confidence::Uncertain,
            ..Self::confirmed(name, value, unit, source)
        }
    }
}

impl<T: Clone + Into<ParameterValue>> Parameter<T> {
    /// The parameter as `GET /v1/protocols/{code}` lists it.
    pub fn published(&self) -> PublishedParameter {
        PublishedParameter {
            name: self.name,
            value: self.value.clone().into(),
            unit: self.unit,
            confidence: self.confidence,
            source: self.source.clone(),
        }
    }
}

impl Parameter<f64> {
    /// The value and unit as a requirement states them: `−18 °C`, `5 cm`.
    pub fn stated(&self) -> String {
        match self.unit {
            Some(unit) => format!("{} {unit}", number(self.value)),
            None => number(self.value),
        }
    }
}

/// A number as people write it: no trailing `.0`, and a real minus sign.
pub fn number(value: f64) -> String {
    let text = format!("{value}");
    match text.strip_prefix('-') {
        Some(magnitude) => format!("−{magnitude}"),
        None => text,
    }
}

/// A parameter as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedParameter {
    pub name: &'static str,
    pub value: ParameterValue,
    pub unit: Option<&'static str>,
    pub confidence: Confidence,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParameterValue {
    Number(f64),
    Date(NaiveDate),
    Text(String),
    List(Vec<String>),
}

impl From<f64> for ParameterValue {
    fn from(value: f64) -> Self {
        Self::Number(value)
    }
}

impl From<NaiveDate> for ParameterValue {
    fn from(value: NaiveDate) -> Self {
        Self::Date(value)
    }
}

impl From<String> for ParameterValue {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<Vec<String>> for ParameterValue {
    fn from(value: Vec<String>) -> Self {
        Self::List(value)
    }
}

/// A quarantine pest of concern to China.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pest {
    pub scientific_name: String,
    pub common_name: String,
    pub confidence: Confidence,
}

/// Confirmed pests from (scientific name, common name) pairs.
pub fn pests(list: &[(&str, &str)]) -> Vec<Pest> {
    list.iter()
        .map(|(scientific_name, common_name)| Pest {
            scientific_name: (*scientific_name).to_owned(),
            common_name: (*common_name).to_owned(),
            confidence: Confidence::Confirmed,
        })
        .collect()
}

/// A calendar date written in the source code; `NaiveDate::MIN` only if the literal is wrong,
/// which the catalogue's tests would show.
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// Owned copies of string literals.
pub fn names(values: &[&str]) -> Vec<String> {
    values.iter().map(|value| (*value).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stated_as_people_write_them() {
        let core = Parameter::confirmed("core_max_c", -18.0, Some("°C"), "s");
        assert_eq!(core.stated(), "−18 °C");
        assert_eq!(number(5.0), "5");
        assert_eq!(number(0.05), "0.05");
    }

    #[test]
    fn a_published_parameter_keeps_its_value_unit_confidence_and_source() {
        let limit = Parameter::uncertain("cadmium_limit", 0.05, Some("mg/kg"), "recalled");
        assert_eq!(
            serde_json::to_value(limit.published()).unwrap(),
            serde_json::json!({"name": "cadmium_limit", "value": 0.05, "unit": "mg/kg", "confidence": "uncertain", "source": "recalled"})
        );
    }
}

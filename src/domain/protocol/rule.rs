//! What a rule is: a stable ID, a severity and the clause or source it enforces. Each protocol
//! module declares its rules beside the check that reports them, and publishes them with a
//! requirement that states the current parameter values.

use super::Confidence;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Informs; does not block.
    Warning,
}

/// A rule's identity: what a violation cites. A rule whose basis is uncertain (its existence, or
/// the list it checks against) is a warning unless the operator configured that data, which
/// `configured_by` then names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// How well the sources back the rule itself.
    pub confidence: Confidence,
    pub source: &'static str,
    /// The setting that made an uncertain rule an error.
    pub configured_by: Option<&'static str>,
}

/// A rule as `GET /v1/protocols/{code}` publishes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleDef {
    pub id: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub source: &'static str,
    pub configured_by: Option<&'static str>,
    pub requirement: String,
}

/// The uncertain value a violation was judged against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgedAgainst {
    pub parameter: &'static str,
    pub confidence: Confidence,
    pub source: String,
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub confidence: Confidence,
    pub source: &'static str,
    pub configured_by: Option<&'static str>,
    /// For a confirmed rule whose value is uncertain (a limit, a list): that value's confidence
    /// and source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged_against: Option<JudgedAgainst>,
    pub message: String,
    /// JSON pointer into the consignment body.
    pub pointer: String,
}

impl Rule {
    /// The rule with what it requires, for publication.
    /// A confirmed rule.
    pub const fn confirmed(id: &'static str, severity: Severity, source: &'static str) -> Self {
        Self {
            id,
            severity,
            confidence: Confidence::Confirmed,
            source,
            configured_by: None,
        }
    }

    /// A rule whose basis is uncertain: a warning until an operator setting enforces it.
    pub const fn uncertain(id: &'static str, source: &'static str) -> Self {
        Self {
            id,
            severity: Severity::Warning,
            confidence: Confidence::Uncertain,
            source,
            configured_by: None,
        }
    }

    /// The rule at error severity because `setting` configured its data or enforces it; as it
    /// is when `setting` is `None`.
    pub const fn enforced_by(self, setting: Option<&'static str>) -> Self {
        match setting {
            Some(setting) => Self {
                severity: Severity::Error,
                configured_by: Some(setting),
                ..self
            },
            None => self,
        }
    }

    /// The rule with what it requires, for publication.
    pub fn requires(self, requirement: impl Into<String>) -> RuleDef {
        RuleDef {
            id: self.id,
            severity: self.severity,
            confidence: self.confidence,
            source: self.source,
            configured_by: self.configured_by,
            requirement: requirement.into(),
        }
    }

    pub fn violation(self, pointer: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            rule_id: self.id,
            severity: self.severity,
            confidence: self.confidence,
            source: self.source,
            configured_by: self.configured_by,
            judged_against: None,
            message: message.into(),
            pointer: pointer.into(),
        }
    }
}

impl Violation {
    /// Names the uncertain value the finding rests on.
    pub fn judged_against<T>(self, parameter: &super::parameter::Parameter<T>) -> Self {
        Self {
            judged_against: (parameter.confidence == Confidence::Uncertain).then(|| JudgedAgainst {
                parameter: parameter.name,
                confidence: parameter.confidence,
                source: parameter.source.clone(),
            }),
            ..self
        }
    }
}

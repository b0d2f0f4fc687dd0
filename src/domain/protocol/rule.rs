//! What a rule is: a stable ID, a severity and the clause or source it enforces. Each protocol
//! module declares its rules beside the check that reports them, and publishes them with a
//! requirement that states the current parameter values.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Informs; does not block.
    Warning,
}

/// A rule's identity: what a violation cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub source: &'static str,
}

/// A rule as `GET /v1/protocols/{code}` publishes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleDef {
    pub id: &'static str,
    pub severity: Severity,
    pub source: &'static str,
    pub requirement: String,
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    pub rule_id: &'static str,
    pub severity: Severity,
    pub source: &'static str,
    pub message: String,
    /// JSON pointer into the consignment body.
    pub pointer: String,
}

impl Rule {
    /// The rule with what it requires, for publication.
    pub fn requires(self, requirement: impl Into<String>) -> RuleDef {
        RuleDef {
            id: self.id,
            severity: self.severity,
            source: self.source,
            requirement: requirement.into(),
        }
    }

    pub fn violation(self, pointer: impl Into<String>, message: impl Into<String>) -> Violation {
        Violation {
            rule_id: self.id,
            severity: self.severity,
            source: self.source,
            message: message.into(),
            pointer: pointer.into(),
        }
    }
}

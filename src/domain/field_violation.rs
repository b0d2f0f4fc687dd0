//! A problem with one field of a request, located by a JSON pointer (RFC 6901).

use serde::Serialize;

/// One field-level problem, reported to the client as an entry of `errors` in a 422 body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldViolation {
    /// JSON pointer to the offending field, for example `/tax_code`.
    pub pointer: String,
    /// Stable machine code, for example `invalid_format`.
    pub code: String,
    /// What the client must change, in plain words.
    pub message: String,
}

impl FieldViolation {
    pub fn new(pointer: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Escapes one reference token of a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_tokens_escape_tilde_before_slash() {
        assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
    }
}

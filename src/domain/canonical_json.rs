//! Canonical JSON bytes: object keys sorted by their UTF-8 bytes at every depth, no
//! insignificant whitespace. Hashes and signatures are computed over these bytes, so the
//! result must not depend on how a `serde_json::Value` happened to order its keys (PostgreSQL
//! `jsonb` reorders them, and serde_json's `preserve_order` feature may be switched on by any
//! crate in the build).
//!
//! This is not RFC 8785 (JCS): numbers keep serde_json's rendering (`18000.0`), where JCS writes
//! ECMAScript's (`18000`). Every certificate already issued was signed over these bytes (see the
//! golden payloads in `tests/golden/certificates`), so a JCS library would break their
//! signatures; the format stays ours.

use serde_json::Value;

/// Serialises `value` canonically.
pub fn to_canonical_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_value(value, &mut out);
    out
}

fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_value(item, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(item, out);
            }
            out.push(b']');
        }
        Value::String(text) => write_string(text, out),
        // Null, booleans and numbers have one serde_json rendering already.
        scalar => out.extend_from_slice(scalar.to_string().as_bytes()),
    }
}

fn write_string(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(Value::String(text.to_owned()).to_string().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let value = json!({"b": 1, "a": {"d": [true, null], "c": "x"}});
        assert_eq!(
            to_canonical_bytes(&value),
            br#"{"a":{"c":"x","d":[true,null]},"b":1}"#.to_vec()
        );
    }

    #[test]
    fn strings_are_escaped_and_unicode_is_kept() {
        let value = json!({"name": "Công ty \"Sầu riêng\"\n"});
        assert_eq!(
            String::from_utf8(to_canonical_bytes(&value)).unwrap(),
            "{\"name\":\"Công ty \\\"Sầu riêng\\\"\\n\"}"
        );
    }

    #[test]
    fn the_same_content_in_another_key_order_gives_the_same_bytes() {
        let first: Value = serde_json::from_str(r#"{"x":1,"y":[1,2],"z":{"q":1,"p":2}}"#).unwrap();
        let second: Value = serde_json::from_str(r#"{"z":{"p":2,"q":1},"y":[1,2],"x":1}"#).unwrap();
        assert_eq!(to_canonical_bytes(&first), to_canonical_bytes(&second));
    }
}

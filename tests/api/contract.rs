//! The contract: `openapi.yaml` and the code must agree on every route, and every response the
//! tests see must be declared there with a body that matches its schema.

use crate::helpers::TestResponse;
use agri_quarantine::api::ROUTES;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, OnceLock};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).expect("read openapi.yaml");
        serde_yaml_ng::from_str(&text).expect("openapi.yaml is valid YAML")
    })
}

fn spec_operations() -> BTreeSet<(String, String)> {
    let paths = spec()["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(move |method| (method.to_ascii_uppercase(), path.clone()))
        })
        .collect()
}

/// The most specific template in the spec that a concrete path matches: `{x}.pdf` matches
/// only segments ending in `.pdf`, and literal characters outweigh placeholders.
fn template_for(path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let matches = |template: &str| {
        let parts: Vec<&str> = template.split('/').collect();
        parts.len() == segments.len()
            && parts.iter().zip(&segments).all(|(part, segment)| match part.find('}') {
                Some(end) if part.starts_with('{') => {
                    let suffix = &part[end + 1..];
                    segment.len() > suffix.len() && segment.ends_with(suffix)
                }
                _ => part == segment,
            })
    };
    let literal_length = |template: &str| {
        template
            .split('/')
            .map(|part| part.rsplit('}').next().unwrap_or(part).len())
            .sum::<usize>()
    };
    spec()["paths"]
        .as_object()?
        .keys()
        .filter(|template| matches(template))
        .max_by_key(|template| literal_length(template))
        .cloned()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Validates `instance` against the schema at `pointer` in the spec, resolving `$ref`s
/// against the whole document.
fn schema_errors(pointer: &str, instance: &Value) -> Vec<String> {
    static VALIDATORS: OnceLock<Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>> = OnceLock::new();
    let validators = VALIDATORS.get_or_init(Default::default);
    let validator = {
        let mut cache = validators.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache
            .entry(pointer.to_owned())
            .or_insert_with(|| {
                let mut root = spec().clone();
                // A JSON pointer inside a URI fragment must percent-encode braces.
                let fragment = pointer.replace('{', "%7B").replace('}', "%7D");
                root["$ref"] = Value::String(format!("#{fragment}"));
                root["$schema"] = Value::String("https://json-schema.org/draft/2020-12/schema".into());
                std::sync::Arc::new(jsonschema::validator_for(&root).expect("the schema compiles"))
            })
            .clone()
    };
    validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

/// Fails the test when the response is not declared in the contract or does not match it.
pub fn check_response(method: &str, path: &str, response: &TestResponse) {
    let Some(template) = template_for(path) else {
        // Unknown routes must answer the documented 404 problem.
        assert_eq!(response.status, 404, "{method} {path} is not in openapi.yaml");
        return;
    };
    let operation_pointer = format!("/paths/{}/{}", escape(&template), method.to_ascii_lowercase());
    let Some(operation) = spec().pointer(&operation_pointer) else {
        // A method the path does not take: the 405 problem the contract's introduction describes.
        assert_eq!(response.status, 405, "{method} {template} is not in openapi.yaml");
        assert!(response.header("allow").is_some(), "405 without Allow");
        let errors = schema_errors("/components/schemas/Problem", &response.json);
        assert!(
            errors.is_empty(),
            "{method} {template} 405 is not a Problem: {errors:?}"
        );
        assert_eq!(response.json["code"], "method_not_allowed");
        return;
    };
    let status = response.status.to_string();
    let response_pointer = match operation["responses"].get(&status) {
        None => panic!(
            "{method} {template} answered {status}, which openapi.yaml does not declare: {}",
            response.text
        ),
        Some(declared) => match declared.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference.trim_start_matches('#').to_owned(),
            None => format!("{operation_pointer}/responses/{status}"),
        },
    };
    let declared = spec().pointer(&response_pointer).expect("resolvable response");
    let content_type = response.header("content-type").unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let Some(content) = declared.get("content").and_then(Value::as_object) else {
        assert!(
            response.text.is_empty(),
            "{method} {template} {status} declares no body but sent {}",
            response.text
        );
        return;
    };
    assert!(
        content.contains_key(media),
        "{method} {template} {status} sent {media}, declared {:?}",
        content.keys()
    );
    if media.ends_with("json") {
        let errors = schema_errors(
            &format!("{response_pointer}/content/{}/schema", escape(media)),
            &response.json,
        );
        assert!(
            errors.is_empty(),
            "{method} {template} {status} does not match its schema: {errors:?}\n{}",
            response.text
        );
    }
}

#[test]
fn every_route_in_the_code_is_in_openapi_yaml_and_the_other_way_round() {
    let in_code: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    let in_spec = spec_operations();
    let missing_from_spec: Vec<_> = in_code.difference(&in_spec).collect();
    let missing_from_code: Vec<_> = in_spec.difference(&in_code).collect();
    assert!(
        missing_from_spec.is_empty(),
        "routes not in openapi.yaml: {missing_from_spec:?}"
    );
    assert!(
        missing_from_code.is_empty(),
        "operations in openapi.yaml without a route: {missing_from_code:?}"
    );
}

#[test]
fn every_schema_in_openapi_yaml_compiles_and_every_ref_resolves() {
    let text = serde_json::to_string(spec()).expect("serialise the spec");
    for (index, _) in text.match_indices("\"$ref\":\"") {
        let rest = &text[index + 8..];
        let reference = &rest[..rest.find('"').expect("closing quote")];
        assert!(
            spec().pointer(reference.trim_start_matches('#')).is_some(),
            "unresolvable $ref {reference}"
        );
    }
    assert_eq!(spec()["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
}

/// The request example of an operation for a media type, as the contract states it.
pub fn request_example(operation_id: &str, media: &str) -> Value {
    for (path, item) in spec()["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation["operationId"] == operation_id {
                let pointer = format!(
                    "/paths/{}/{method}/requestBody/content/{}/example",
                    escape(path),
                    escape(media)
                );
                return spec()
                    .pointer(&pointer)
                    .cloned()
                    .unwrap_or_else(|| panic!("no example at {pointer}"));
            }
        }
    }
    panic!("no operation {operation_id}");
}

#[test]
fn every_request_body_has_an_example_valid_against_its_schema() {
    for (path, item) in spec()["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            let Some(content) = operation.pointer("/requestBody/content").and_then(Value::as_object) else {
                continue;
            };
            for (media, body) in content {
                let mut examples: Vec<&Value> = body.get("example").into_iter().collect();
                if let Some(named) = body.get("examples").and_then(Value::as_object) {
                    examples.extend(named.values().map(|example| &example["value"]));
                }
                assert!(!examples.is_empty(), "{method} {path} {media}: no example");
                if !media.ends_with("json") {
                    continue;
                }
                let pointer = format!(
                    "/paths/{}/{method}/requestBody/content/{}/schema",
                    escape(path),
                    escape(media)
                );
                for example in examples {
                    let errors = schema_errors(&pointer, example);
                    assert!(
                        errors.is_empty(),
                        "{method} {path} {media}: an example breaks its schema: {errors:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_golden_certificate_payload_fits_the_typed_certificate_content() {
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/certificates");
    let mut checked = 0;
    for entry in std::fs::read_dir(directory).expect("the golden certificates") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|extension| extension == "json") {
            let payload: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("JSON");
            let errors = schema_errors("/components/schemas/CertificateContent", &payload);
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}

#[test]
fn every_operation_has_a_summary_and_a_description() {
    for (path, item) in spec()["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation.get("operationId").is_none() {
                continue;
            }
            for field in ["summary", "description"] {
                let text = operation[field].as_str().unwrap_or_default();
                assert!(!text.trim().is_empty(), "{method} {path} has no {field}");
            }
        }
    }
}

#[test]
fn the_served_contract_is_the_file_in_the_repository() {
    let app = crate::helpers::TestApp::spawn();
    let response = app.get("/openapi.yaml", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.text,
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).expect("read")
    );
    assert!(
        response
            .header("content-type")
            .unwrap_or_default()
            .starts_with("application/yaml")
    );
}

use crate::fixtures::{World, coconut, crocodiles, fresh_durian, frozen_durian, passing_inspection, world, world_with};
use crate::helpers::TestResponse;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde_json::{Value, json};

/// The full verification, with the code printed on the certificate (read here as its
/// exporter or issuing authority reads it).
fn verify(world: &World, number: &str) -> TestResponse {
    let certificate = world
        .app
        .get(&format!("/v1/certificates/{number}"), Some(&world.app.admin_key));
    match certificate.json["verification_code"].as_str() {
        Some(code) => world.app.get(&format!("/v1/verify/{number}?code={code}"), None),
        None => verify_by_number(world, number),
    }
}

/// What a stranger gets by number alone.
fn verify_by_number(world: &World, number: &str) -> TestResponse {
    world.app.get(&format!("/v1/verify/{number}"), None)
}

/// Checks the signature offline, as a border officer would: published key, payload bytes.
fn signature_checks_out(world: &World, verification: &Value) -> bool {
    let keys = world.app.get("/v1/signing-keys", None).json;
    let key = keys["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["key_id"] == verification["key_id"])
        .unwrap();
    let public: [u8; 32] = STANDARD
        .decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature: [u8; 64] = STANDARD
        .decode(verification["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    VerifyingKey::from_bytes(&public)
        .unwrap()
        .verify(
            verification["payload"].as_str().unwrap().as_bytes(),
            &Signature::from_bytes(&signature),
        )
        .is_ok()
}

fn runs_from_submission_to_a_verified_certificate(body: Value, prefix: &str, commodity_word: &str) {
    let world = world();
    let id = world.inspected(&body);
    let queue = world.app.get("/v1/inspection-queue", Some(world.inspector_for(&body)));
    assert_eq!(queue.json["items"][0]["id"], id.as_str());
    assert_eq!(queue.json["items"][0]["compliance"]["compliant"], true);
    let approved = world.approve(&id, world.inspector_for(&body));
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.json["consignment"]["status"], "approved");
    let number = approved.json["certificate"]["number"].as_str().unwrap().to_owned();
    assert_eq!(number, format!("VN-{prefix}-2026-000001"));
    let verification = verify(&world, &number);
    assert_eq!(verification.status, 200, "{}", verification.text);
    assert_eq!(verification.json["status"], "valid");
    assert_eq!(verification.json["signature_valid"], true);
    assert_eq!(
        verification.json["exporter"],
        "Công ty TNHH Xuất khẩu Sầu Riêng Cái Mơn"
    );
    assert!(
        verification.json["commodity"]
            .as_str()
            .unwrap()
            .contains(commodity_word),
        "{}",
        verification.json["commodity"]
    );
    assert_eq!(verification.json["point_of_entry"], body["entry_point"]);
    assert!(signature_checks_out(&world, &verification.json));
    assert_eq!(world.app.db.scalar("SELECT count(*) FROM certificates"), 1);
    let own = world
        .app
        .get(&format!("/v1/certificates/{number}"), Some(&world.exporter));
    assert_eq!(own.status, 200);
    assert_eq!(own.json["content"]["number"], number.as_str());
}

#[test]
fn a_fresh_durian_consignment_runs_from_submission_to_a_verified_phytosanitary_certificate() {
    runs_from_submission_to_a_verified_certificate(fresh_durian(), "PC", "fresh durian");
}

#[test]
fn a_frozen_durian_consignment_runs_from_submission_to_a_verified_phytosanitary_certificate() {
    runs_from_submission_to_a_verified_certificate(frozen_durian(), "PC", "frozen durian");
}

#[test]
fn a_coconut_consignment_runs_from_submission_to_a_verified_phytosanitary_certificate() {
    runs_from_submission_to_a_verified_certificate(coconut(), "PC", "fresh coconut");
}

#[test]
fn a_crocodile_consignment_runs_from_submission_to_a_verified_veterinary_certificate() {
    runs_from_submission_to_a_verified_certificate(crocodiles(), "VC", "farmed crocodiles");
}

#[test]
fn the_phytosanitary_certificate_carries_the_ispm_12_fields_and_the_additional_declaration() {
    let world = world();
    let id = world.inspected(&frozen_durian());
    let content = world.approve(&id, &world.ppd_inspector).json["certificate"]["content"].clone();
    let description = &content["description_of_consignment"];
    assert_eq!(description["consignee"]["name"], "Guangxi Fruit Co.");
    assert_eq!(
        description["quantity"],
        json!({"net_weight_kg": 18000.0, "packages": 1000})
    );
    assert_eq!(description["botanical_name"], "Durio zibethinus Murr.");
    assert_eq!(description["means_of_conveyance"], "road 51C-123.45");
    assert_eq!(content["treatment"]["type"], "freezing");
    assert_eq!(content["authorized_officer"], "Nguyễn Văn An");
    assert!(
        content["additional_declaration"]
            .as_str()
            .unwrap()
            .contains("Frozen Durian from Vietnam to China")
    );
    assert!(
        content["certifying_statement"]
            .as_str()
            .unwrap()
            .starts_with("This is to certify")
    );
}

#[test]
fn the_veterinary_certificate_carries_the_nine_contents_of_the_crocodile_protocol() {
    let world = world();
    let id = world.inspected(&crocodiles());
    let content = world.approve(&id, &world.dah_inspector).json["certificate"]["content"].clone();
    for key in [
        "1_compliance_statement",
        "2_exporter_and_importer",
        "3_departure",
        "4_animals",
        "5_examinations_and_tests",
        "6_treatments",
        "7_issue",
        "8_origin",
        "9_vaccinations",
    ] {
        assert!(!content[key].is_null(), "{key} missing: {content}");
    }
    assert_eq!(
        content["4_animals"]["identification_codes"],
        json!(["CR-0001", "CR-0002"])
    );
    assert_eq!(content["8_origin"]["farms"][0]["code"], "DT-CF-01");
    assert_eq!(
        content["5_examinations_and_tests"]["clinical_examinations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_veterinary_certificate_states_its_test_dates_and_is_valid_180_days_from_issue() {
    let world = world();
    let id = world.inspected(&crocodiles());
    let certificate = world.approve(&id, &world.dah_inspector).json["certificate"].clone();
    let content = &certificate["content"];
    let test = &content["5_examinations_and_tests"]["tests"][0];
    assert_eq!(
        (test["sample_date"].clone(), test["test_date"].clone()),
        (json!("2025-02-10"), json!("2025-02-12"))
    );
    let issued: chrono::NaiveDate = content["7_issue"]["date_of_issue"].as_str().unwrap().parse().unwrap();
    let until = issued + chrono::Days::new(180);
    assert_eq!(content["valid_until"], json!(until.to_string()));
    let number = certificate["number"].as_str().unwrap();
    let verified = world.app.get(&format!("/v1/verify/{number}"), None);
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json["status"], "valid");
    assert_eq!(verified.json["valid_until"], json!(until.to_string()));
}

#[test]
fn an_inspector_rejects_with_a_reason_and_the_exporter_cannot_resubmit() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let rejected = world.app.post(
        &format!("/v1/consignments/{id}/reject"),
        Some(&world.ppd_inspector),
        &json!({"reason_code": "quarantine_pest_found", "reason": "Live Bactrocera correcta in 3 cartons"}),
    );
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    assert_eq!(rejected.json["status"], "rejected");
    assert!(rejected.json["decided_at"].is_string());
    assert_eq!(
        world.app.db.scalar("SELECT count(*) FROM consignment_decisions WHERE decision = 'rejected' AND reason_code = 'quarantine_pest_found'"
        ),
        1
    );
    let again = world.app.request(
        "POST",
        &format!("/v1/consignments/{id}/submit"),
        Some(&world.exporter),
        None,
        b"",
    );
    assert_eq!(again.status, 409);
    assert_eq!(world.app.db.scalar("SELECT count(*) FROM certificates"), 0);
}

#[test]
fn a_rejection_needs_a_documented_reason_code() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let response = world.app.post(
        &format!("/v1/consignments/{id}/reject"),
        Some(&world.ppd_inspector),
        &json!({"reason_code": "bad vibes", "reason": "x"}),
    );
    assert_eq!(response.status, 422);
    assert_eq!(response.json["errors"][0]["pointer"], "/reason_code");
}

#[test]
fn a_returned_consignment_is_corrected_resubmitted_and_approved_with_its_history_kept() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let returned = world.app.post(
        &format!("/v1/consignments/{id}/return"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Seal number unreadable; re-declare it."}),
    );
    assert_eq!(returned.status, 200, "{}", returned.text);
    assert_eq!(returned.json["status"], "returned");
    let etag = format!("\"v{}\"", returned.json["version"]);
    let corrected = world.app.send_unchecked(
        "PATCH",
        &format!("/v1/consignments/{id}"),
        &[("If-Match", &etag)],
        Some(&world.exporter),
        Some("application/merge-patch+json"),
        json!({"containers": [{"number": "CSQU3054383", "seal_number": "SL-2"}]})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(corrected.status, 200, "{}", corrected.text);
    let resubmitted = world.app.request(
        "POST",
        &format!("/v1/consignments/{id}/submit"),
        Some(&world.exporter),
        None,
        b"",
    );
    assert_eq!(resubmitted.status, 200, "{}", resubmitted.text);
    world.app.post(
        &format!("/v1/consignments/{id}/inspections"),
        Some(&world.ppd_inspector),
        &passing_inspection(&fresh_durian()),
    );
    let approved = world.approve(&id, &world.ppd_inspector);
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(
        approved.json["certificate"]["content"]["description_of_consignment"]["distinguishing_marks"]["containers"][0]
            ["seal_number"],
        "SL-2"
    );
    let decisions: Vec<String> = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(&format!(
        "(SELECT string_agg(decision, ',' ORDER BY created_at) FROM consignment_decisions WHERE consignment_id = '{id}')"
    )))
    .load(&mut world.app.db.connect())
    .unwrap();
    assert_eq!(decisions, ["returned,approved"]);
}

#[test]
fn a_suspension_that_lands_between_submission_and_decision_blocks_approval() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    let suspended = world.app.post(
        "/v1/establishments/packing_house/VN-BTPH-036/status-changes",
        Some(&world.app.admin_key),
        &json!({"status": "suspended", "effective_from": "2025-02-15", "reason": "cadmium", "reference": "GACC notice 2025-02"}),
    );
    assert_eq!(suspended.status, 201);
    let blocked = world.approve(&id, &world.ppd_inspector);
    assert_eq!(blocked.status, 422, "{}", blocked.text);
    assert_eq!(blocked.json["code"], "approval_blocked");
    assert_eq!(blocked.json["errors"][0]["code"], "PLANT-PACKING-HOUSE-APPROVED");
    assert_eq!(world.app.db.scalar("SELECT count(*) FROM certificates"), 0);
    assert_eq!(
        world
            .app
            .get(&format!("/v1/consignments/{id}"), Some(&world.exporter))
            .json["status"],
        "submitted"
    );
}

#[test]
fn approval_needs_an_inspection_that_met_the_sampling_rate() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let without = world.approve(&id, &world.ppd_inspector);
    assert_eq!(without.status, 422);
    assert_eq!(without.json["errors"][0]["code"], "no_inspection");
    let mut thin = passing_inspection(&fresh_durian());
    thin["units_sampled"] = json!(19);
    let inspection = world.app.post(
        &format!("/v1/consignments/{id}/inspections"),
        Some(&world.ppd_inspector),
        &thin,
    );
    assert_eq!(inspection.json["required_sampling_rate"], 0.02);
    let short = world.approve(&id, &world.ppd_inspector);
    assert_eq!(short.status, 422);
    assert_eq!(short.json["errors"][0]["code"], "sampling_rate_not_met");
}

#[test]
fn a_live_pest_blocks_approval_whether_or_not_it_is_on_the_protocols_list() {
    let world = world();
    for name in ["Bactrocera correcta", "Bactrocera dorsalis"] {
        let id = world.submitted(&fresh_durian());
        let recorded = world.app.post(
            &format!("/v1/consignments/{id}/inspections"),
            Some(&world.ppd_inspector),
            &json!({"inspected_on": "2025-02-28", "place": "x", "units_in_lot": 1000, "units_sampled": 20,
                    "findings": [{"kind": "quarantine_pest", "scientific_name": name, "alive": true}]}),
        );
        assert_eq!(recorded.status, 201, "{name}: {}", recorded.text);
        assert_eq!(recorded.json["findings"][0]["scientific_name"], name);
        let blocked = world.approve(&id, &world.ppd_inspector);
        assert_eq!(blocked.status, 422, "{name}");
        assert_eq!(blocked.json["errors"][0]["code"], "blocking_finding");
        assert!(blocked.json["errors"][0]["message"].as_str().unwrap().contains(name));
    }
}

#[test]
fn a_frozen_core_warmer_than_minus_18_at_inspection_blocks_approval() {
    let world = world();
    let id = world.submitted(&frozen_durian());
    let recorded = world.app.post(
        &format!("/v1/consignments/{id}/inspections"),
        Some(&world.ppd_inspector),
        &json!({"inspected_on": "2025-02-28", "place": "Nam Do plant", "units_in_lot": 1000, "units_sampled": 20,
                "core_temperature_c": -17.5}),
    );
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    let blocked = world.approve(&id, &world.ppd_inspector);
    assert_eq!(blocked.status, 422, "{}", blocked.text);
    assert_eq!(blocked.json["errors"][0]["code"], "core_temperature_too_warm");
}

#[test]
fn an_inspection_of_another_number_of_units_than_declared_is_refused() {
    let world = world();
    let id = world.submitted(&fresh_durian());
    let refused = world.app.post(
        &format!("/v1/consignments/{id}/inspections"),
        Some(&world.ppd_inspector),
        &json!({"inspected_on": "2025-02-28", "place": "x", "units_in_lot": 900, "units_sampled": 18}),
    );
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.json["errors"][0]["pointer"], "/units_in_lot");
    assert_eq!(refused.json["errors"][0]["code"], "units_mismatch");
    assert_eq!(
        world.app.db.scalar(&format!(
            "SELECT count(*) FROM inspections WHERE consignment_id = '{id}'"
        )),
        0
    );
}

#[test]
fn an_inspector_of_the_other_authority_and_an_exporter_get_403() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    assert_eq!(world.approve(&id, &world.dah_inspector).status, 403);
    assert_eq!(world.approve(&id, &world.exporter).status, 403);
    let inspection = world.app.post(
        &format!("/v1/consignments/{id}/inspections"),
        Some(&world.dah_inspector),
        &passing_inspection(&fresh_durian()),
    );
    assert_eq!(inspection.status, 403);
    assert_eq!(
        world
            .app
            .post(
                &format!("/v1/consignments/{id}/reject"),
                Some(&world.dah_inspector),
                &json!({"reason_code": "other", "reason": "x"})
            )
            .status,
        403
    );
    assert_eq!(
        world.app.get("/v1/inspection-queue", Some(&world.dah_inspector)).json["items"],
        json!([])
    );
}

#[test]
fn fifty_concurrent_approvals_of_one_consignment_issue_exactly_one_certificate() {
    let world = world_with(&[("DB_POOL_SIZE", "8"), ("DB_POOL_TIMEOUT_MS", "30000")]);
    let id = world.inspected(&fresh_durian());
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|_| scope.spawn(|| world.approve(&id, &world.ppd_inspector).status))
            .collect();
        handles.into_iter().map(|handle| handle.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|status| **status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|status| *status == 200 || *status == 409),
        "{statuses:?}"
    );
    assert_eq!(world.app.db.scalar("SELECT count(*) FROM certificates"), 1);
    assert_eq!(world.app.db.scalar("SELECT last_serial FROM certificate_counters"), 1);
}

#[test]
fn concurrent_approvals_of_different_consignments_get_unique_gap_free_numbers() {
    let world = world_with(&[("DB_POOL_SIZE", "8"), ("DB_POOL_TIMEOUT_MS", "30000")]);
    let ids: Vec<String> = (0..8).map(|_| world.inspected(&fresh_durian())).collect();
    let mut numbers: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| scope.spawn(|| world.approve(id, &world.ppd_inspector)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                let response = handle.join().unwrap();
                assert_eq!(response.status, 200, "{}", response.text);
                response.json["certificate"]["number"].as_str().unwrap().to_owned()
            })
            .collect()
    });
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|serial| format!("VN-PC-2026-{serial:06}")).collect();
    assert_eq!(numbers, expected);
}

#[test]
fn a_certificate_whose_stored_payload_was_altered_fails_signature_verification() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    world
        .app
        .db
        .connect()
        .batch_execute(&format!(
            "ALTER TABLE certificates DISABLE TRIGGER certificates_immutable;
             UPDATE certificates SET payload = convert_to(replace(convert_from(payload, 'UTF8'), '18000', '28000'), 'UTF8') WHERE number = '{number}';
             ALTER TABLE certificates ENABLE TRIGGER certificates_immutable;"
        ))
        .unwrap();
    let verification = verify(&world, &number);
    assert_eq!(verification.status, 200);
    assert_eq!(verification.json["signature_valid"], false);
    assert!(!signature_checks_out(&world, &verification.json));
}

#[test]
fn certificates_cannot_be_edited_or_deleted_in_the_database() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let mut connection = world.app.db.connect();
    let edit = connection.batch_execute(&format!(
        "UPDATE certificates SET key_id = key_id || 'x' WHERE number = '{number}'"
    ));
    assert!(edit.is_err_and(|error| error.to_string().contains("never edited")));
    let delete = connection.batch_execute("DELETE FROM certificates");
    assert!(delete.is_err_and(|error| error.to_string().contains("never deleted")));
}

#[test]
fn a_revocation_shows_in_the_verification_with_its_date_and_reason() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    assert_eq!(
        world
            .app
            .post(
                &format!("/v1/certificates/{number}/revoke"),
                Some(&world.dah_inspector),
                &json!({"reason": "x"})
            )
            .status,
        403
    );
    let revoked = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Issued in error"}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let verification = verify(&world, &number);
    assert_eq!(verification.json["status"], "revoked");
    assert_eq!(verification.json["revocation"]["reason"], "Issued in error");
    assert!(verification.json["revocation"]["revoked_at"].is_string());
    let again = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "again"}),
    );
    assert_eq!(again.status, 409);
}

#[test]
fn a_replacement_shows_in_the_verification_of_both_certificates() {
    let world = world();
    let id = world.inspected(&fresh_durian());
    let old = world.approve(&id, &world.ppd_inspector).json["certificate"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let replaced = world.app.post(
        &format!("/v1/certificates/{old}/replace"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Consignee address corrected", "authorized_officer": "Trần Thị Bình", "place_of_issue": "Hà Nội",
                "corrections": {"consignee": {"address": "No. 8 Youyi Road, Pingxiang, Guangxi"}}}),
    );
    assert_eq!(replaced.status, 201, "{}", replaced.text);
    let new = replaced.json["certificate"]["number"].as_str().unwrap().to_owned();
    assert_eq!(new, "VN-PC-2026-000002");
    assert_eq!(
        replaced.json["certificate"]["content"]["description_of_consignment"]["consignee"]["address"],
        "No. 8 Youyi Road, Pingxiang, Guangxi"
    );
    let old_verification = verify(&world, &old);
    assert_eq!(old_verification.json["status"], "replaced");
    assert_eq!(old_verification.json["replaced_by"], new.as_str());
    let new_verification = verify(&world, &new);
    assert_eq!(new_verification.json["status"], "valid");
    assert_eq!(new_verification.json["replaces"], old.as_str());
    assert_eq!(new_verification.json["signature_valid"], true);
}

#[test]
fn exporters_see_only_their_own_certificates() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let (_, other) = world.app.exporter_with_key("0398765432");
    assert_eq!(
        world
            .app
            .get(&format!("/v1/certificates/{number}"), Some(&other))
            .status,
        404
    );
    assert_eq!(world.app.get("/v1/certificates", Some(&other)).json["items"], json!([]));
    assert_eq!(
        world.app.get("/v1/certificates", Some(&world.exporter)).json["items"][0]["number"],
        number.as_str()
    );
    assert_eq!(
        world.app.get("/v1/certificates", Some(&world.ppd_inspector)).json["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        world.app.get("/v1/certificates", Some(&world.dah_inspector)).json["items"],
        json!([])
    );
}

#[test]
fn the_verification_is_public_cacheable_and_honours_if_none_match() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let first = verify_by_number(&world, &number);
    assert_eq!(first.header("cache-control"), Some("public, max-age=60"));
    let etag = first.header("etag").unwrap().to_owned();
    let again = world.app.send_unchecked(
        "GET",
        &format!("/v1/verify/{number}"),
        &[("If-None-Match", &etag)],
        None,
        None,
        b"",
    );
    assert_eq!(again.status, 304);
    assert_eq!(verify(&world, "VN-PC-2026-999999").status, 404);
}

#[test]
fn the_verification_is_rate_limited_per_client_address() {
    let world = world_with(&[("VERIFY_RATE_LIMIT_PER_MINUTE", "2")]);
    assert_eq!(verify_by_number(&world, "VN-PC-2026-000001").status, 404);
    assert_eq!(verify_by_number(&world, "VN-PC-2026-000001").status, 404);
    let limited = verify_by_number(&world, "VN-PC-2026-000001");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json["code"], "too_many_requests");
    assert!(limited.header("retry-after").is_some());
}

#[test]
fn walking_certificate_numbers_without_codes_reveals_no_consignee_container_code_or_officer() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let public = verify_by_number(&world, &number);
    assert_eq!(public.status, 200, "{}", public.text);
    let mut keys: Vec<&str> = public.json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "commodity",
            "date_of_issue",
            "issuing_authority",
            "kind",
            "more",
            "number",
            "produce",
            "quantity",
            "status",
            "valid_until"
        ]
    );
    for secret in [
        "Guangxi Fruit Co.",
        "CSQU3054383",
        "VN-TGOR-0095",
        "51C-123.45",
        "Nguyễn Văn An",
    ] {
        assert!(!public.text.contains(secret), "{secret} leaked: {}", public.text);
    }
    let full = verify(&world, &number);
    assert!(full.text.contains("VN-TGOR-0095"));
    assert_eq!(full.json["signature_valid"], true);
}

#[test]
fn a_wrong_code_answers_like_an_unknown_number_and_misses_are_limited_more_strictly() {
    let world = world_with(&[("VERIFY_MISS_RATE_LIMIT_PER_MINUTE", "2")]);
    let number = world.approved_certificate(&fresh_durian());
    let wrong = world
        .app
        .get(&format!("/v1/verify/{number}?code=00000000000000000000"), None);
    assert_eq!(wrong.status, 404, "{}", wrong.text);
    assert_eq!(verify_by_number(&world, "VN-PC-2026-999999").status, 404);
    let limited = verify_by_number(&world, "VN-PC-2026-999998");
    assert_eq!(limited.status, 429, "{}", limited.text);
    // Hits still answer: the stricter limit counts misses only.
    assert_eq!(verify_by_number(&world, &number).status, 200);
}

#[test]
fn full_verification_names_the_point_of_entry_from_the_reference_data() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let full = verify(&world, &number);
    assert_eq!(full.status, 200, "{}", full.text);
    assert_eq!(full.json["point_of_entry"], "youyiguan");
    assert_eq!(
        full.json["point_of_entry_place"],
        json!({
            "slug": "youyiguan",
            "country": "CN",
            "english": "Youyiguan (Friendship Pass) highway port, Pingxiang",
            "vietnamese": "Cửa khẩu Hữu Nghị Quan",
            "chinese": "友谊关口岸",
            "names": "uncertain",
            "locode": "CNYYG",
            "sources": "places.md §3, §4 [S4][S56][S59][S61]; Vietnamese name recalled"
        })
    );
}

#[test]
fn verification_by_number_names_the_produce_in_its_declared_form() {
    let world = world();
    for (body, produce) in [
        (fresh_durian(), "Fresh durian, whole fruit"),
        (frozen_durian(), "Frozen durian, whole fruit with shell"),
        (coconut(), "Fresh coconut, green with stalk"),
        (crocodiles(), "Live farmed Siamese crocodiles"),
    ] {
        let number = world.approved_certificate(&body);
        let public = verify_by_number(&world, &number);
        assert_eq!(public.status, 200, "{}", public.text);
        assert_eq!(public.json["produce"], produce);
        assert_eq!(verify(&world, &number).json["produce"], produce);
    }
}

#[test]
fn an_inspector_of_a_second_organisation_with_the_same_authority_code_cannot_revoke_or_replace() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let second_ppd = world.app.create_authority("PPD");
    let outsider = world.app.create_key(second_ppd["id"].as_str().unwrap(), "inspector")["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoke = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&outsider),
        &json!({"reason": "Issued in error"}),
    );
    assert_eq!(revoke.status, 403, "{}", revoke.text);
    assert_eq!(
        revoke.json["detail"],
        format!("Only the PPD organisation that issued certificate {number} may change it.")
    );
    let replace = world.app.post(
        &format!("/v1/certificates/{number}/replace"),
        Some(&outsider),
        &json!({"reason": "New consignee", "authorized_officer": "Trần Thị Bình", "place_of_issue": "Hà Nội",
                "corrections": {"consignee": {"address": "No. 8 Youyi Road, Pingxiang, Guangxi"}}}),
    );
    assert_eq!(replace.status, 403, "{}", replace.text);
    assert_eq!(
        world.app.db.scalar(&format!(
            "SELECT count(*) FROM certificates WHERE number = '{number}' AND status = 'valid'"
        )),
        1
    );
}

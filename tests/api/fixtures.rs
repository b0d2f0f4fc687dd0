//! Shared test data: a registry in which one exporter may ship under all four protocols, and a
//! compliant declaration for each.

use crate::helpers::TestApp;
use serde_json::{Value, json};

/// An exporter with a key, inspectors of PPD and DAH, and an approved registry.
pub struct World {
    pub app: TestApp,
    pub exporter: String,
    pub organization_id: String,
    pub ppd_inspector: String,
    pub dah_inspector: String,
}

pub fn world() -> World {
    world_with(&[])
}

pub fn world_with(overrides: &[(&str, &str)]) -> World {
    let app = TestApp::spawn_with(overrides);
    let (organization, exporter) = app.exporter_with_key("0312345678");
    let organization_id = organization["id"].as_str().unwrap().to_owned();
    let holder = json!({"holder_organization_id": organization_id});
    for (kind, code, commodities, extra) in [
        ("orchard", "VN-TGOR-0095", json!(["durian", "coconut"]), holder.clone()),
        ("orchard", "VN-TGOR-0096", json!(["durian", "coconut"]), holder.clone()),
        (
            "packing_house",
            "VN-BTPH-036",
            json!(["durian", "coconut"]),
            holder.clone(),
        ),
        ("processing_plant", "NAMDO-01", json!(["durian"]), holder.clone()),
        (
            "crocodile_farm",
            "DT-CF-01",
            json!(["crocodile"]),
            json!({"cites_registration": "VN-CITES-502"}),
        ),
        (
            "laboratory",
            "VILAS-997",
            json!(["durian"]),
            json!({"scopes": ["cadmium", "auramine_o"]}),
        ),
    ] {
        let mut body = json!({"kind": kind, "code": code, "name": format!("{kind} {code}"), "address": "Tiền Giang",
                              "province": "Tiền Giang", "commodities": commodities,
                              "source": {"list": "GACC list", "date": "2023-01-01"}});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let created = app.post("/v1/establishments", Some(&app.admin_key), &body);
        assert_eq!(created.status, 201, "{}", created.text);
        let approved = app.post(
            &format!("/v1/establishments/{kind}/{code}/status-changes"),
            Some(&app.admin_key),
            &json!({"status": "approved", "effective_from": "2023-01-01", "reference": "GACC list"}),
        );
        assert_eq!(approved.status, 201, "{}", approved.text);
    }
    let inspector = |authority: &str| {
        let organization = app.create_authority(authority);
        app.create_key(organization["id"].as_str().unwrap(), "inspector")["secret"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ppd_inspector, dah_inspector) = (inspector("PPD"), inspector("DAH"));
    World {
        app,
        exporter,
        organization_id,
        ppd_inspector,
        dah_inspector,
    }
}

pub fn fresh_durian() -> Value {
    json!({
        "protocol": "vn-cn-durian-fresh-2022",
        "consignee": {"name": "Guangxi Fruit Co.", "address": "Pingxiang, Guangxi", "country": "CN"},
        "planned_departure_date": "2025-03-01",
        "exit_border_gate": "huu_nghi",
        "entry_point": "youyiguan",
        "conveyance": {"mode": "road", "identifier": "51C-123.45"},
        "containers": [{"number": "CSQU3054383", "seal_number": "SL-1"}],
        "fresh_durian": {"product_form": "whole_fruit"},
        "botanical_name": "Durio zibethinus Murr.",
        "lots": [{"orchard_code": "VN-TGOR-0095", "packing_house_code": "VN-BTPH-036", "variety": "Ri6",
                  "net_weight_kg": 18000.0, "package_count": 1000, "package_type": "carton"}],
        "carton_label": "Fresh durian - Product of Vietnam - VN-TGOR-0095 - VN-BTPH-036",
        "pallet_marking": "Exported to the People's Republic of China",
        "lab_reports": [
            {"laboratory_code": "VILAS-997", "analyte": "cadmium", "matrix": "flesh", "sample_date": "2025-02-25",
             "report_number": "CD-1", "value": 0.02, "unit": "mg/kg", "lots": [0]},
            {"laboratory_code": "VILAS-997", "analyte": "auramine_o", "matrix": "peel", "sample_date": "2025-02-25",
             "report_number": "AO-1", "detected": false, "lots": [0]},
            {"laboratory_code": "VILAS-997", "analyte": "auramine_o", "matrix": "flesh", "sample_date": "2025-02-25",
             "report_number": "AO-2", "detected": false, "lots": [0]}
        ]
    })
}

pub fn frozen_durian() -> Value {
    let mut body = fresh_durian();
    body.as_object_mut().unwrap().remove("fresh_durian");
    body["protocol"] = json!("vn-cn-durian-frozen-2024");
    body["exit_border_gate"] = json!("mong_cai");
    body["entry_point"] = json!("dongxing");
    body["frozen_durian"] = json!({
        "product_form": "whole_with_shell",
        "production_date": "2025-02-20",
        "processing_plant_code": "NAMDO-01",
        "raw_material_orchard_codes": ["VN-TGOR-0095"],
        "freezing": {"medium_temperature_c": -40.0, "duration_minutes": 75.0, "core_temperature_c": -20.0},
        "cold_chain": [{"at": "2025-02-28T08:00:00Z", "temperature_c": -21.0}]
    });
    body
}

pub fn coconut() -> Value {
    let mut body = fresh_durian();
    body.as_object_mut().unwrap().remove("fresh_durian");
    body["protocol"] = json!("vn-cn-coconut-fresh-2024");
    body["botanical_name"] = json!("Cocos nucifera");
    body["lab_reports"] = json!([]);
    body["coconut"] = json!({"form": "green_with_stalk", "max_stalk_length_cm": 4.5});
    body["conveyance"] = json!({"mode": "rail", "identifier": "SP3-Đồng Đăng"});
    body["exit_border_gate"] = json!("dong_dang_rail");
    body["entry_point"] = json!("pingxiang_rail");
    body
}

pub fn crocodiles() -> Value {
    json!({
        "protocol": "vn-cn-crocodile-farmed-2024",
        "consignee": {"name": "Guangdong Reptile Co.", "address": "Dongxing", "country": "CN"},
        "import_permit_number": "GD-2025-0001",
        "planned_departure_date": "2025-03-01",
        "exit_border_gate": "mong_cai",
        "entry_point": "dongxing",
        "conveyance": {"mode": "road", "identifier": "14C-555.66"},
        "crocodiles": {
            "species": "Crocodylus siamensis",
            "declared_quantity": 2,
            "animals": [
                {"identification_code": "CR-0001", "farm_code": "DT-CF-01", "born_in": "VN", "raised_in": "VN"},
                {"identification_code": "CR-0002", "farm_code": "DT-CF-01", "born_in": "VN", "raised_in": "VN"}
            ],
            "cites_permit": {"number": "VN-CITES-25-001", "valid_from": "2025-01-01", "valid_until": "2025-06-30", "source_code": "D"},
            "tests": [
                {"animal_code": "CR-0001", "agent": "Salmonella", "method": "PCR", "sample_date": "2025-02-10", "test_date": "2025-02-12", "result": "negative"},
                {"animal_code": "CR-0002", "agent": "Salmonella", "method": "PCR", "sample_date": "2025-02-10", "test_date": "2025-02-12", "result": "negative"}
            ],
            "treatments": [{"product": "Ivermectin", "dose": "0.2 mg/kg", "manufacturer": "Vemedim", "date": "2025-02-01", "place": "DT-CF-01"}],
            "vaccinations": []
        }
    })
}

/// The inspection that satisfies each protocol.
pub fn passing_inspection(body: &Value) -> Value {
    match body["protocol"].as_str().unwrap() {
        "vn-cn-crocodile-farmed-2024" => json!({
            "inspected_on": "2025-02-28", "place": "DT-CF-01", "units_in_lot": 2, "units_sampled": 2,
            "clinical_exams": [{"animal_code": "CR-0001", "result": "normal"}, {"animal_code": "CR-0002", "result": "normal"}]
        }),
        "vn-cn-durian-frozen-2024" => json!({
            "inspected_on": "2025-02-28", "place": "Nam Do plant", "units_in_lot": 1000, "units_sampled": 20, "core_temperature_c": -19.5
        }),
        _ => {
            json!({"inspected_on": "2025-02-28", "place": "Cái Mơn packing house", "units_in_lot": 1000, "units_sampled": 20,
                    "findings": [{"kind": "quarantine_pest", "scientific_name": "Dysmicoccus neobrevipes", "alive": false}]})
        }
    }
}

/// Today in Vietnam, where inspectors approve.
pub fn vietnam_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}

/// The planned departure of consignments that go on to be decided: approval after the planned
/// departure is refused, so flows that approve leave a month from today.
pub fn departure_soon() -> chrono::NaiveDate {
    vietnam_today() + chrono::Days::new(30)
}

/// `body` leaving a month from today, its CITES permit (crocodiles) still valid then.
pub fn departing_soon(body: &Value) -> Value {
    let mut body = body.clone();
    body["planned_departure_date"] = json!(departure_soon().to_string());
    if body["crocodiles"]["cites_permit"].is_object() {
        body["crocodiles"]["cites_permit"]["valid_until"] =
            json!((departure_soon() + chrono::Days::new(90)).to_string());
    }
    body
}

impl World {
    /// Connections of the workers' event-loop pools open on the world's database.
    pub fn event_loop_connections(&self) -> i64 {
        self.app.db.scalar(&format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'agri-quarantine-event-loop'",
            self.app.db.name
        ))
    }

    /// Creates and submits a consignment leaving a month from today (`departing_soon`), so an
    /// inspector can still decide it; returns its id.
    pub fn submitted(&self, body: &Value) -> String {
        let body = &departing_soon(body);
        let created = self.app.post("/v1/consignments", Some(&self.exporter), body);
        assert_eq!(created.status, 201, "{}", created.text);
        let id = created.json["id"].as_str().unwrap().to_owned();
        let submitted = self.app.request(
            "POST",
            &format!("/v1/consignments/{id}/submit"),
            Some(&self.exporter),
            None,
            b"",
        );
        assert_eq!(submitted.status, 200, "{}", submitted.text);
        id
    }

    pub fn inspector_for(&self, body: &Value) -> &str {
        if body["protocol"] == "vn-cn-crocodile-farmed-2024" {
            &self.dah_inspector
        } else {
            &self.ppd_inspector
        }
    }

    /// Submits and records a passing inspection; returns the consignment id.
    pub fn inspected(&self, body: &Value) -> String {
        let id = self.submitted(body);
        let inspection = self.app.post(
            &format!("/v1/consignments/{id}/inspections"),
            Some(self.inspector_for(body)),
            &passing_inspection(body),
        );
        assert_eq!(inspection.status, 201, "{}", inspection.text);
        id
    }

    /// Submits, inspects and approves `body`; returns the certificate number.
    pub fn approved_certificate(&self, body: &Value) -> String {
        let id = self.inspected(body);
        let approved = self.approve(&id, self.inspector_for(body));
        assert_eq!(approved.status, 200, "{}", approved.text);
        approved.json["certificate"]["number"].as_str().unwrap().to_owned()
    }

    /// The verification code of a certificate of this world's exporter.
    pub fn verification_code(&self, number: &str) -> String {
        let certificate = self
            .app
            .get(&format!("/v1/certificates/{number}"), Some(&self.exporter));
        assert_eq!(certificate.status, 200, "{}", certificate.text);
        certificate.json["verification_code"].as_str().unwrap().to_owned()
    }

    pub fn approve(&self, id: &str, inspector: &str) -> crate::helpers::TestResponse {
        self.app.post(
            &format!("/v1/consignments/{id}/approve"),
            Some(inspector),
            &json!({"authorized_officer": "Nguyễn Văn An", "place_of_issue": "Hà Nội"}),
        )
    }
}

use crate::fixtures::{World, coconut, crocodiles, fresh_durian, frozen_durian, passing_inspection, world, world_with};
use serde_json::{Value, json};

fn approved_certificate(world: &World, body: &Value) -> String {
    world.approved_certificate(body)
}

fn ephyto(world: &World, number: &str) -> String {
    let response = world
        .app
        .get(&format!("/v1/certificates/{number}/ephyto.xml"), Some(&world.exporter));
    assert_eq!(response.status, 200, "{}", response.text);
    assert!(response.header("content-type").unwrap().starts_with("application/xml"));
    response.text
}

/// Text of the first element at `path` (local names, `/`-separated) under the root.
fn text_at(document: &roxmltree::Document, path: &str) -> Option<String> {
    let mut node = document.root_element();
    for name in path.split('/') {
        node = node
            .children()
            .find(|child| child.is_element() && child.tag_name().name() == name)?;
    }
    Some(node.text().unwrap_or_default().to_owned())
}

fn child_text(node: roxmltree::Node, name: &str) -> String {
    node.children()
        .find(|child| child.tag_name().name() == name)
        .and_then(|child| child.text())
        .unwrap_or_default()
        .to_owned()
}

fn count_named(document: &roxmltree::Document, name: &str) -> usize {
    document
        .descendants()
        .filter(|node| node.tag_name().name() == name)
        .count()
}

fn checks_the_ephyto_elements(body: Value) {
    let world = world();
    let number = approved_certificate(&world, &body);
    let xml = ephyto(&world, &number);
    let document = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "SPSCertificate");
    assert_eq!(
        root.tag_name().namespace(),
        Some("urn:un:unece:uncefact:data:standard:SPSCertificate:17")
    );
    assert_eq!(
        text_at(&document, "SPSExchangedDocument/ID").as_deref(),
        Some(number.as_str())
    );
    assert_eq!(
        text_at(&document, "SPSExchangedDocument/TypeCode").as_deref(),
        Some("851")
    );
    assert_eq!(
        text_at(&document, "SPSExchangedDocument/StatusCode").as_deref(),
        Some("70")
    );
    assert_eq!(
        text_at(
            &document,
            "SPSExchangedDocument/SignatorySPSAuthentication/IssueSPSLocation/Name"
        )
        .as_deref(),
        Some("Hà Nội")
    );
    assert_eq!(
        text_at(
            &document,
            "SPSExchangedDocument/SignatorySPSAuthentication/ProviderSPSParty/SpecifiedSPSPerson/Name"
        )
        .as_deref(),
        Some("Nguyễn Văn An")
    );
    let clauses: Vec<(String, String)> = document
        .descendants()
        .filter(|node| node.tag_name().name() == "IncludedSPSClause")
        .map(|clause| (child_text(clause, "ID"), child_text(clause, "Content")))
        .collect();
    assert_eq!(
        clauses.len(),
        1,
        "only the certifying statement is a clause: {clauses:?}"
    );
    assert_eq!(clauses[0].0, "1");
    assert!(
        clauses[0].1.starts_with("This is to certify that the plants"),
        "{clauses:?}"
    );
    let notes: Vec<(String, String)> = document
        .root_element()
        .children()
        .find(|node| node.tag_name().name() == "SPSExchangedDocument")
        .unwrap()
        .children()
        .filter(|node| node.tag_name().name() == "IncludedSPSNote")
        .map(|note| (child_text(note, "Subject"), child_text(note, "Content")))
        .collect();
    let subjects: Vec<&str> = notes.iter().map(|(subject, _)| subject.as_str()).collect();
    assert_eq!(
        subjects,
        ["ADEDL", "ADDIEDL", "DMCL"],
        "notes in the order emitters use"
    );
    assert!(
        notes[0]
            .1
            .contains("free from any quarantine pests of concern to China"),
        "{notes:?}"
    );
    assert_eq!(notes[1].1, "2025-02-28T00:00:00+07:00", "the inspection date");
    let issued = text_at(&document, "SPSExchangedDocument/IssueDateTime/DateTimeString").unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&issued).is_ok() && issued.ends_with("+07:00"),
        "IssueDateTime is an ISO 8601 date-time in Vietnam time: {issued}"
    );
    let consignment: Vec<&str> = document
        .root_element()
        .children()
        .find(|node| node.tag_name().name() == "SPSConsignment")
        .unwrap()
        .children()
        .filter(|node| node.is_element())
        .map(|node| node.tag_name().name())
        .collect();
    assert_eq!(
        consignment,
        [
            "ConsignorSPSParty",
            "ConsigneeSPSParty",
            "ExportSPSCountry",
            "ImportSPSCountry",
            "UnloadingBaseportSPSLocation",
            "ExaminationSPSEvent",
            "MainCarriageSPSTransportMovement",
            "UtilizedSPSTransportEquipment",
            "IncludedSPSConsignmentItem"
        ],
        "SPSConsignment children in schema order"
    );
    assert_eq!(
        text_at(
            &document,
            "SPSConsignment/ExaminationSPSEvent/OccurrenceSPSLocation/Name"
        ),
        passing_inspection(&body)["place"].as_str().map(str::to_owned)
    );
    assert_eq!(
        text_at(&document, "SPSConsignment/ConsignorSPSParty/Name").as_deref(),
        Some("Công ty TNHH Xuất khẩu Sầu Riêng Cái Mơn")
    );
    assert_eq!(
        text_at(&document, "SPSConsignment/ConsigneeSPSParty/Name"),
        body["consignee"]["name"].as_str().map(str::to_owned)
    );
    assert_eq!(
        text_at(&document, "SPSConsignment/ExportSPSCountry/ID").as_deref(),
        Some("VN")
    );
    assert_eq!(
        text_at(&document, "SPSConsignment/ImportSPSCountry/ID").as_deref(),
        Some("CN")
    );
    let (locode, port) = match body["entry_point"].as_str() {
        Some("youyiguan") => ("CNYYG", "Youyiguan (Friendship Pass) highway port, Pingxiang"),
        Some("dongxing") => ("CNDOX", "Dongxing port, Guangxi"),
        Some("pingxiang_rail") => ("CNPIN", "Pingxiang railway port"),
        other => panic!("no expected place for {other:?}"),
    };
    let entry = "SPSConsignment/UnloadingBaseportSPSLocation";
    assert_eq!(text_at(&document, &format!("{entry}/ID")).as_deref(), Some(locode));
    assert_eq!(text_at(&document, &format!("{entry}/Name")).as_deref(), Some(port));
    assert_eq!(
        text_at(
            &document,
            "SPSConsignment/MainCarriageSPSTransportMovement/UsedSPSTransportMeans/Name"
        ),
        body["conveyance"]["identifier"].as_str().map(str::to_owned)
    );
    let mode = if body["conveyance"]["mode"] == "rail" { "2" } else { "3" };
    assert_eq!(
        text_at(&document, "SPSConsignment/MainCarriageSPSTransportMovement/ModeCode").as_deref(),
        Some(mode)
    );
    assert_eq!(
        text_at(&document, "SPSConsignment/UtilizedSPSTransportEquipment/ID").as_deref(),
        Some("CSQU3054383")
    );
    assert_eq!(
        text_at(
            &document,
            "SPSConsignment/UtilizedSPSTransportEquipment/AffixedSPSSeal/ID"
        )
        .as_deref(),
        Some("SL-1")
    );
    let line = "SPSConsignment/IncludedSPSConsignmentItem/IncludedSPSTradeLineItem";
    assert_eq!(count_named(&document, "IncludedSPSTradeLineItem"), 1);
    assert_eq!(
        text_at(&document, &format!("{line}/ScientificName")),
        body["botanical_name"].as_str().map(str::to_owned)
    );
    assert_eq!(
        text_at(&document, &format!("{line}/NetWeightMeasure")).as_deref(),
        Some("18000.0")
    );
    let weight = document
        .descendants()
        .find(|node| node.tag_name().name() == "NetWeightMeasure")
        .unwrap();
    assert_eq!(weight.attribute("unitCode"), Some("KGM"));
    assert_eq!(
        text_at(&document, &format!("{line}/PhysicalSPSPackage/ItemQuantity")).as_deref(),
        Some("1000")
    );
    assert_eq!(
        text_at(&document, &format!("{line}/PhysicalSPSPackage/TypeCode")).as_deref(),
        Some("CT")
    );
    assert_eq!(
        text_at(&document, &format!("{line}/OriginSPSCountry/ID")).as_deref(),
        Some("VN")
    );
    let frozen = body["protocol"] == "vn-cn-durian-frozen-2024";
    assert_eq!(count_named(&document, "AppliedSPSProcess"), usize::from(frozen));
    if frozen {
        assert_eq!(
            text_at(
                &document,
                &format!("{line}/AppliedSPSProcess/CompletionSPSPeriod/DurationMeasure")
            )
            .as_deref(),
            Some("75.0")
        );
        let characteristics: Vec<(String, String)> = document
            .descendants()
            .filter(|node| node.tag_name().name() == "ApplicableSPSProcessCharacteristic")
            .map(|node| {
                let measure = node
                    .children()
                    .find(|child| child.tag_name().name() == "ValueMeasure")
                    .map(|measure| {
                        format!(
                            "{} {}",
                            measure.text().unwrap_or_default(),
                            measure.attribute("unitCode").unwrap_or_default()
                        )
                    });
                (child_text(node, "Description"), measure.unwrap_or_default())
            })
            .collect();
        assert_eq!(characteristics[0], ("TTTM".to_owned(), "-40.0 CEL".to_owned()));
        assert_eq!(characteristics[1].0, "TTFT");
        assert_eq!(characteristics.len(), 2);
    }
}

#[test]
fn the_ephyto_xml_of_a_fresh_durian_certificate_has_the_required_elements() {
    checks_the_ephyto_elements(fresh_durian());
}

#[test]
fn the_ephyto_xml_of_a_frozen_durian_certificate_has_the_required_elements_and_the_freezing_process() {
    checks_the_ephyto_elements(frozen_durian());
}

#[test]
fn the_ephyto_xml_of_a_coconut_certificate_has_the_required_elements() {
    checks_the_ephyto_elements(coconut());
}

#[test]
fn ampersands_angle_brackets_and_vietnamese_survive_the_xml() {
    let world = world();
    let mut body = fresh_durian();
    body["consignee"]["name"] = json!("Guangxi Fruit & Veg <Co.> — Sầu Riêng 榴莲");
    let number = approved_certificate(&world, &body);
    let xml = ephyto(&world, &number);
    assert!(xml.contains("Guangxi Fruit &amp; Veg &lt;Co.&gt;"));
    let document = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(
        text_at(&document, "SPSConsignment/ConsigneeSPSParty/Name").as_deref(),
        Some("Guangxi Fruit & Veg <Co.> — Sầu Riêng 榴莲")
    );
}

#[test]
fn a_revoked_certificate_is_withdrawn_and_a_replacement_names_the_one_it_replaces() {
    let world = world();
    let old = approved_certificate(&world, &fresh_durian());
    let replaced = world.app.post(
        &format!("/v1/certificates/{old}/replace"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Seal corrected", "authorized_officer": "Trần Thị Bình", "place_of_issue": "Hà Nội",
                "corrections": {"containers": [{"number": "CSQU3054383", "seal_number": "SL-9"}]}}),
    );
    assert_eq!(replaced.status, 201, "{}", replaced.text);
    let new = replaced.json["certificate"]["number"].as_str().unwrap().to_owned();
    let old_document = ephyto(&world, &old);
    assert_eq!(
        text_at(
            &roxmltree::Document::parse(&old_document).unwrap(),
            "SPSExchangedDocument/StatusCode"
        )
        .as_deref(),
        Some("40")
    );
    let new_xml = ephyto(&world, &new);
    let new_document = roxmltree::Document::parse(&new_xml).unwrap();
    let note = new_document
        .descendants()
        .find(|node| node.tag_name().name() == "IncludedSPSNote" && node.children().any(|c| c.text() == Some("ADRPN")))
        .expect("an ADRPN note");
    assert_eq!(
        note.children()
            .find(|c| c.tag_name().name() == "Content")
            .and_then(|c| c.text()),
        Some(old.as_str())
    );
    assert_eq!(
        text_at(&new_document, "SPSExchangedDocument/StatusCode").as_deref(),
        Some("70")
    );
    world.app.post(
        &format!("/v1/certificates/{new}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Shipment cancelled"}),
    );
    assert_eq!(
        text_at(
            &roxmltree::Document::parse(&ephyto(&world, &new)).unwrap(),
            "SPSExchangedDocument/StatusCode"
        )
        .as_deref(),
        Some("40")
    );
}

#[test]
fn a_veterinary_certificate_has_no_ephyto() {
    let world = world();
    let number = approved_certificate(&world, &crocodiles());
    let response = world
        .app
        .get(&format!("/v1/certificates/{number}/ephyto.xml"), Some(&world.exporter));
    assert_eq!(response.status, 404);
}

#[test]
fn another_exporter_cannot_fetch_the_documents() {
    let world = world();
    let number = approved_certificate(&world, &fresh_durian());
    let (_, other) = world.app.exporter_with_key("0398765432");
    assert_eq!(
        world
            .app
            .get(&format!("/v1/certificates/{number}/ephyto.xml"), Some(&other))
            .status,
        404
    );
    assert_eq!(
        world
            .app
            .get(&format!("/v1/certificates/{number}/qr.svg"), Some(&other))
            .status,
        404
    );
}

/// Rasterises the SVG's unit squares and decodes them as a QR code.
pub fn decode_qr(svg: &str) -> String {
    let document = roxmltree::Document::parse(svg).unwrap();
    let view_box = document.root_element().attribute("viewBox").unwrap();
    let size: usize = view_box.split_whitespace().nth(2).unwrap().parse().unwrap();
    let scale = 6;
    let mut dark = vec![false; size * size];
    for rect in document
        .descendants()
        .filter(|node| node.tag_name().name() == "rect" && node.attribute("x").is_some())
    {
        let x: usize = rect.attribute("x").unwrap().parse().unwrap();
        let y: usize = rect.attribute("y").unwrap().parse().unwrap();
        dark[y * size + x] = true;
    }
    let pixels = size * scale;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark[(y / scale) * size + x / scale] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().unwrap().1
}

#[test]
fn the_qr_code_decodes_to_the_public_verification_url() {
    let world = world_with(&[("PUBLIC_BASE_URL", "https://verify.agri-quarantine.vn/")]);
    let number = approved_certificate(&world, &fresh_durian());
    let response = world
        .app
        .get(&format!("/v1/certificates/{number}/qr.svg"), Some(&world.exporter));
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("image/svg+xml"));
    let code = world.verification_code(&number);
    assert_eq!(code.len(), 20);
    let url = decode_qr(&response.text);
    assert_eq!(
        url,
        format!("https://verify.agri-quarantine.vn/v1/verify/{number}?code={code}")
    );
    let path = url.trim_start_matches("https://verify.agri-quarantine.vn");
    let verified = world.app.get(path, None);
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.json["signature_valid"], true);
}

fn pdf(world: &World, number: &str, query: &str) -> crate::helpers::TestResponse {
    world
        .app
        .get(&format!("/v1/certificates/{number}.pdf{query}"), Some(&world.exporter))
}

/// Page count and text, both read with lopdf (no outside program): the text of every page,
/// decoded through the fonts' ToUnicode maps.
fn read_pdf(bytes: &[u8]) -> (usize, String) {
    let document = lopdf::Document::load_mem(bytes).expect("a parsable PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text = document.extract_text(&pages).expect("the text of the PDF");
    (pages.len(), text)
}

#[test]
fn the_pdf_of_a_phytosanitary_certificate_shows_its_number_status_and_labels_in_three_languages() {
    let world = world();
    let number = approved_certificate(&world, &fresh_durian());
    let response = pdf(&world, &number, "");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/pdf"));
    let (pages, text) = read_pdf(&response.bytes);
    assert!((1..=2).contains(&pages), "{pages} pages");
    assert!(text.contains(&number), "{text}");
    assert!(text.contains("VALID"));
    assert!(text.contains("PHYTOSANITARY CERTIFICATE"));
    assert!(text.contains("GIẤY CHỨNG NHẬN KIỂM DỊCH THỰC VẬT"));
    assert!(text.contains("植物检疫证书"));
    assert!(text.contains("Nguyễn Văn An"));
}

#[test]
fn the_pdf_of_a_veterinary_certificate_renders_the_original_and_two_copies_marked_copy() {
    let world = world();
    let number = approved_certificate(&world, &crocodiles());
    let (pages, text) = read_pdf(&pdf(&world, &number, "?copies=2").bytes);
    let (original_pages, original_text) = read_pdf(&pdf(&world, &number, "").bytes);
    assert_eq!(pages, 3 * original_pages);
    assert!(text.contains("VETERINARY CERTIFICATE"));
    assert!(text.matches("COPY / BẢN SAO / 副本").count() >= 2, "{text}");
    assert!(!original_text.contains("COPY / BẢN SAO"));
    assert_eq!(pdf(&world, &number, "?copies=3").status, 422);
}

#[test]
fn a_revoked_certificate_is_stamped_on_its_pdf() {
    let world = world();
    let number = approved_certificate(&world, &fresh_durian());
    world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.ppd_inspector),
        &json!({"reason": "Issued in error"}),
    );
    let (_, text) = read_pdf(&pdf(&world, &number, "").bytes);
    assert!(text.contains("REVOKED"), "{text}");
}

#[test]
fn a_repeated_download_is_served_from_the_cache_without_rendering_again() {
    let world = world();
    let number = approved_certificate(&world, &fresh_durian());
    let first = pdf(&world, &number, "");
    let second = pdf(&world, &number, "");
    assert_eq!(first.header("x-document-cache"), Some("miss"));
    assert_eq!(second.header("x-document-cache"), Some("hit"));
    assert_eq!(first.bytes, second.bytes);
    assert_eq!(world.app.db.scalar("SELECT count(*) FROM certificate_documents"), 1);
}

#[test]
fn the_pdf_prints_the_verification_code_beside_the_qr_code() {
    let world = world();
    let number = approved_certificate(&world, &fresh_durian());
    let code = world.verification_code(&number);
    let (_, text) = read_pdf(&pdf(&world, &number, "").bytes);
    assert!(
        text.contains(&format!("Verification code / Mã xác minh / 验证码: {code}")),
        "{text}"
    );
}

#[test]
fn the_pdf_of_a_veterinary_certificate_names_the_cites_and_import_permits() {
    let world = world();
    let number = approved_certificate(&world, &crocodiles());
    let (_, text) = read_pdf(&pdf(&world, &number, "").bytes);
    assert!(
        text.contains("CITES export permit / Giấy phép xuất khẩu CITES"),
        "{text}"
    );
    assert!(text.contains("VN-CITES-25-001 (source D)"), "{text}");
    assert!(text.contains("Chinese import permit / Giấy phép nhập khẩu"), "{text}");
    assert!(text.contains("GD-2025-0001"), "{text}");
}

#[test]
fn the_pdf_names_the_point_of_entry_the_conveyance_and_the_counts_in_words() {
    let world = world();
    let number = approved_certificate(&world, &fresh_durian());
    let (_, text) = read_pdf(&pdf(&world, &number, "").bytes);
    let text = text.replace('\n', " ");
    for expected in [
        "Youyiguan (Friendship Pass) highway port, Pingxiang / Cửa khẩu Hữu Nghị Quan / 友谊关口岸",
        "(UN/LOCODE CNYYG)",
        "By road, vehicle 51C-123.45 / Đường bộ / 公路运输",
        "cartons",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    assert!(!text.contains(" youyiguan"), "{text}");
    assert!(!text.contains("road 51C"), "{text}");
}

#[test]
fn the_pdf_of_a_veterinary_certificate_names_the_gate_of_exit_and_the_point_of_entry() {
    let world = world();
    let number = approved_certificate(&world, &crocodiles());
    let (_, text) = read_pdf(&pdf(&world, &number, "").bytes);
    let text = text.replace('\n', " ");
    assert!(
        text.contains("from Mong Cai International Border Gate, Quang Ninh"),
        "{text}"
    );
    assert!(text.contains("(UN/LOCODE VNMOC)"), "{text}");
    assert!(
        text.contains("to Dongxing port, Guangxi / Cửa khẩu Đông Hưng / 东兴口岸 (UN/LOCODE CNDOX)"),
        "{text}"
    );
    assert!(!text.contains("mong_cai"), "{text}");
}

#[test]
fn each_pdf_names_the_produce_in_three_languages() {
    let world = world();
    for (body, produce) in [
        (
            fresh_durian(),
            "Fresh durian, whole fruit / Sầu riêng tươi, nguyên quả / 鲜榴莲（整果）",
        ),
        (
            frozen_durian(),
            "Frozen durian, whole fruit with shell / Sầu riêng nguyên quả đông lạnh (còn vỏ) / 冷冻带壳榴莲整果",
        ),
        (
            coconut(),
            "Fresh coconut, green with stalk / Dừa tươi, dừa xanh còn cuống / 鲜椰子（带梗青椰）",
        ),
        (
            crocodiles(),
            "Live farmed Siamese crocodiles / Cá sấu Xiêm nuôi, còn sống / 养殖暹罗鳄（活体）",
        ),
    ] {
        let number = approved_certificate(&world, &body);
        let (_, text) = read_pdf(&pdf(&world, &number, "").bytes);
        let text = text.replace('\n', " ");
        assert!(text.contains(produce), "{produce} missing from {text}");
        assert!(!text.contains("产品名称及数量 Phytosanitary requirements"), "{text}");
    }
}

#[test]
fn the_ephyto_trade_line_names_the_produce_and_its_common_name() {
    let world = world();
    let number = approved_certificate(&world, &coconut());
    let xml = ephyto(&world, &number);
    let document = roxmltree::Document::parse(&xml).unwrap();
    let line = "SPSConsignment/IncludedSPSConsignmentItem/IncludedSPSTradeLineItem";
    let description = text_at(&document, &format!("{line}/Description")).unwrap();
    assert!(
        description.starts_with("Fresh coconut, green with stalk ("),
        "{description}"
    );
    let common = document
        .descendants()
        .find(|node| node.tag_name().name() == "CommonName")
        .unwrap();
    assert_eq!(common.text(), Some("coconut"));
    assert_eq!(common.attribute("languageID"), Some("en"));
}

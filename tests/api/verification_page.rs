//! The verification page for people: what a phone shows after scanning a certificate's QR code.

use crate::documents::decode_qr;
use crate::fixtures::{crocodiles, fresh_durian, world};
use crate::helpers::TestApp;
use serde_json::json;

#[test]
fn scanning_the_qr_code_opens_a_page_in_three_languages_with_the_status_and_signature() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let svg = world
        .app
        .get(&format!("/v1/certificates/{number}/qr.svg"), Some(&world.exporter));
    let url = decode_qr(&svg.text);
    let path = &url[url.find("/v1/verify/").unwrap()..];
    let page = world.app.get_as_browser(path);
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("vary"), Some("Accept"));
    for expected in [
        "<section class=\"status valid\"><strong>VALID · CÒN HIỆU LỰC · 有效</strong>",
        "Certificate verification · Xác minh giấy chứng nhận · 证书验证",
        "The issuer's signature checks out · Chữ ký của cơ quan cấp hợp lệ · 签发机构签名验证通过",
        "<dd>Fresh durian, whole fruit</dd>",
        "<dd>18,000 kg, 1,000 packages</dd>",
        "Youyiguan (Friendship Pass) highway port, Pingxiang · Cửa khẩu Hữu Nghị Quan · 友谊关口岸",
        "name=\"viewport\" content=\"width=device-width, initial-scale=1\"",
    ] {
        assert!(page.text.contains(expected), "{expected} missing from {}", page.text);
    }
    assert!(!page.text.contains("<script"));
}

#[test]
fn the_page_by_number_alone_shows_no_trade_details_and_asks_for_the_code() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let page = world.app.get_as_browser(&format!("/v1/verify/{number}"));
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains(&format!("<form method=\"get\" action=\"/v1/verify/{number}\">"))
    );
    for secret in [
        "Guangxi Fruit Co.",
        "CSQU3054383",
        "VN-TGOR-0095",
        "51C-123.45",
        "Nguyễn Văn An",
        "Cái Mơn",
    ] {
        assert!(!page.text.contains(secret), "{secret} leaked: {}", page.text);
    }
    assert!(!page.text.contains("signature checks out"));
}

#[test]
fn a_revoked_certificate_page_shows_the_date_and_reason_in_red() {
    let world = world();
    let number = world.approved_certificate(&crocodiles());
    let revoked = world.app.post(
        &format!("/v1/certificates/{number}/revoke"),
        Some(&world.dah_inspector),
        &json!({"reason": "Animals died before loading"}),
    );
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    let code = world.verification_code(&number);
    let page = world.app.get_as_browser(&format!("/v1/verify/{number}?code={code}"));
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text
            .contains("<section class=\"status revoked\"><strong>REVOKED · ĐÃ THU HỒI · 已撤销</strong>")
    );
    assert!(page.text.contains("Reason · Lý do · 原因: Animals died before loading"));
    assert!(page.text.contains("<dd>Live farmed Siamese crocodiles</dd>"));
}

#[test]
fn a_wrong_code_gets_a_not_found_page_and_json_clients_still_get_json() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let page = world
        .app
        .get_as_browser(&format!("/v1/verify/{number}?code=00000000000000000000"));
    assert_eq!(page.status, 404);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.text.contains("NOT FOUND · KHÔNG TÌM THẤY · 未找到"));
    let json = world.app.get(&format!("/v1/verify/{number}"), None);
    assert_eq!(json.status, 200);
    assert_eq!(json.header("content-type"), Some("application/json"));
}

#[test]
fn the_page_with_the_code_links_to_the_issued_pdf_which_needs_the_right_code() {
    let world = world();
    let number = world.approved_certificate(&fresh_durian());
    let code = world.verification_code(&number);
    let page = world.app.get_as_browser(&format!("/v1/verify/{number}?code={code}"));
    let link = format!("/v1/verify/{number}/certificate.pdf?code={code}");
    assert!(page.text.contains(&format!("<a href=\"{link}\">")), "{}", page.text);
    let pdf = world.app.get(&link, None);
    assert_eq!(pdf.status, 200, "{}", pdf.text);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let wrong = world.app.get(
        &format!("/v1/verify/{number}/certificate.pdf?code=00000000000000000000"),
        None,
    );
    assert_eq!(wrong.status, 404);
    assert_eq!(wrong.json["code"], "not_found");
    let missing = world.app.get(&format!("/v1/verify/{number}/certificate.pdf"), None);
    assert_eq!(missing.status, 400, "{}", missing.text);
}

fn miss_from(app: &TestApp, forwarded_for: &str) -> u16 {
    app.send_unchecked(
        "GET",
        "/v1/verify/VN-PC-2026-999999",
        &[("X-Forwarded-For", forwarded_for)],
        None,
        None,
        b"",
    )
    .status
}

#[test]
fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let app = TestApp::spawn_with(&[
        ("VERIFY_MISS_RATE_LIMIT_PER_MINUTE", "1"),
        ("TRUSTED_PROXIES", "127.0.0.1"),
    ]);
    assert_eq!(miss_from(&app, "198.51.100.1"), 404);
    assert_eq!(miss_from(&app, "198.51.100.1"), 429);
    assert_eq!(miss_from(&app, "198.51.100.2"), 404);
}

#[test]
fn without_trusted_proxies_a_forwarded_for_header_changes_nothing() {
    let app = TestApp::spawn_with(&[("VERIFY_MISS_RATE_LIMIT_PER_MINUTE", "1")]);
    assert_eq!(miss_from(&app, "198.51.100.1"), 404);
    assert_eq!(miss_from(&app, "198.51.100.2"), 429);
}

//! The verification page a border officer sees after scanning a certificate's QR code: the
//! status in large coloured letters, the key facts and whether the signature holds, in English,
//! Vietnamese and Chinese. Plain HTML and CSS (no script), readable on a 360 px phone screen.
//! It renders the same verification the JSON answer gives, so it reveals no more: by number
//! alone, the minimal facts; with the code, the content's essentials.

use crate::documents::wording::{count, kilograms};
use crate::domain::ephyto::escape;
use serde_json::Value;
use std::fmt::Write;

const STYLE: &str = "*{box-sizing:border-box}\
body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Sans CJK SC',sans-serif;color:#1c1c1c;background:#f4f5f7}\
main{max-width:44rem;margin:0 auto;padding:1rem}\
h1{font-size:1.15rem;margin:.25rem 0 1rem}\
.status{border-radius:.6rem;padding:1rem;color:#fff;margin-bottom:1rem}\
.status strong{display:block;font-size:2rem;line-height:1.15;letter-spacing:.02em}\
.valid{background:#1b7f3b}.revoked{background:#b3261e}.replaced{background:#a15c00}.expired{background:#5f6368}.unknown{background:#5f6368}\
.status a{color:#fff}\
dl{background:#fff;border-radius:.6rem;padding:.5rem 1rem;margin:0 0 1rem}\
dt{font-size:.8rem;color:#5f6368;margin-top:.6rem}dd{margin:0 0 .4rem;overflow-wrap:anywhere}\
.signature{padding:.75rem 1rem;border-radius:.6rem;background:#fff;margin-bottom:1rem;border-left:.4rem solid #1b7f3b}\
.signature.bad{border-left-color:#b3261e}\
form{background:#fff;border-radius:.6rem;padding:1rem;margin-bottom:1rem}\
input{font:inherit;width:100%;padding:.5rem;margin:.4rem 0;border:1px solid #9aa0a6;border-radius:.4rem}\
button{font:inherit;padding:.5rem 1rem;border:0;border-radius:.4rem;background:#1a56b8;color:#fff}\
small{color:#5f6368;overflow-wrap:anywhere}";

/// The three-language label of a status, and its colour class.
fn status_words(status: &str) -> (&'static str, &'static str) {
    match status {
        "valid" => ("VALID · CÒN HIỆU LỰC · 有效", "valid"),
        "revoked" => ("REVOKED · ĐÃ THU HỒI · 已撤销", "revoked"),
        "replaced" => ("REPLACED · ĐÃ ĐƯỢC THAY THẾ · 已被替换", "replaced"),
        "expired" => ("EXPIRED · HẾT HIỆU LỰC · 已过期", "expired"),
        _ => ("UNKNOWN · KHÔNG RÕ · 未知", "unknown"),
    }
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

fn quantity(value: &Value) -> String {
    let quantity = &value["quantity"];
    if let Some(animals) = quantity["animals"].as_u64() {
        return count(animals, "animal");
    }
    let weight = quantity["net_weight_kg"].as_f64().map(kilograms);
    let packages = quantity["packages"].as_u64().map(|packages| count(packages, "package"));
    [weight, packages].into_iter().flatten().collect::<Vec<_>>().join(", ")
}

struct Page {
    out: String,
}

impl Page {
    fn new(title: &str) -> Self {
        let mut out = String::with_capacity(8192);
        let _ = write!(
            out,
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
             <body><main><h1>Certificate verification · Xác minh giấy chứng nhận · 证书验证</h1>",
            escape(title)
        );
        Self { out }
    }

    fn fact(&mut self, label: &str, value: &str) {
        if !value.is_empty() {
            let _ = write!(self.out, "<dt>{label}</dt><dd>{}</dd>", escape(value));
        }
    }

    fn finish(mut self) -> String {
        self.out.push_str("</main></body></html>");
        self.out
    }
}

/// The page for a verification answer (`GET /v1/verify/{number}`, JSON shape). `code`: the
/// code the answer was given for; with it, the answer is the full one, so the signature check
/// and a link to the PDF are shown instead of the code form.
pub fn page(verification: &Value, code: Option<&str>) -> String {
    let code_given = code.is_some();
    let number = text(verification, "number");
    let status = text(verification, "status");
    let (words, class) = status_words(status);
    let mut page = Page::new(&format!("{number}: {status}"));
    let _ = write!(page.out, "<section class=\"status {class}\"><strong>{words}</strong>");
    let _ = write!(page.out, "<div>{}</div>", escape(number));
    if let Some(revocation) = verification["revocation"].as_object() {
        let at = revocation.get("revoked_at").and_then(Value::as_str).unwrap_or_default();
        let reason = revocation.get("reason").and_then(Value::as_str).unwrap_or_default();
        let _ = write!(
            page.out,
            "<div>Revoked on · Thu hồi ngày · 撤销日期: {}</div><div>Reason · Lý do · 原因: {}</div>",
            escape(at.get(..10).unwrap_or(at)),
            escape(reason)
        );
    }
    if let Some(new) = verification["replaced_by"].as_str() {
        let _ = write!(
            page.out,
            "<div>Replaced by · Được thay thế bằng · 替换证书: <a href=\"/v1/verify/{0}\">{0}</a></div>",
            escape(new)
        );
    }
    if status == "expired" {
        let _ = write!(
            page.out,
            "<div>Valid until · Hiệu lực đến · 有效期至: {}</div>",
            escape(text(verification, "valid_until"))
        );
    }
    page.out.push_str("</section>");
    if code_given {
        let (class, words) = if verification["signature_valid"].as_bool() == Some(true) {
            (
                "signature",
                "The issuer's signature checks out · Chữ ký của cơ quan cấp hợp lệ · 签发机构签名验证通过",
            )
        } else {
            (
                "signature bad",
                "The signature does NOT check out · Chữ ký KHÔNG hợp lệ · 签名验证未通过",
            )
        };
        let _ = write!(page.out, "<p class=\"{class}\">{words}</p>");
    }
    page.out.push_str("<dl>");
    let kind = match text(verification, "kind") {
        "veterinary" => "Veterinary certificate · Giấy chứng nhận kiểm dịch động vật · 兽医卫生证书",
        _ => "Phytosanitary certificate · Giấy chứng nhận kiểm dịch thực vật · 植物检疫证书",
    };
    page.fact("Certificate · Giấy chứng nhận · 证书", kind);
    page.fact("Produce · Tên hàng · 产品名称", text(verification, "produce"));
    page.fact("Quantity · Số lượng · 数量", &quantity(verification));
    page.fact(
        "Date of issue · Ngày cấp · 签发日期",
        text(verification, "date_of_issue"),
    );
    page.fact(
        "Issuing authority · Cơ quan cấp · 签发机构",
        text(verification, "issuing_authority"),
    );
    page.fact(
        "Valid until · Hiệu lực đến · 有效期至",
        text(verification, "valid_until"),
    );
    page.fact("Exporter · Người xuất khẩu · 出口商", text(verification, "exporter"));
    let place = &verification["point_of_entry_place"];
    let entry = if place.is_object() {
        format!(
            "{} · {} · {}",
            text(place, "english"),
            text(place, "vietnamese"),
            text(place, "chinese")
        )
    } else {
        text(verification, "point_of_entry").to_owned()
    };
    page.fact("Point of entry · Cửa khẩu nhập · 入境口岸", &entry);
    page.fact("Protocol · Nghị định thư · 议定书", text(verification, "commodity"));
    page.out.push_str("</dl>");
    if let Some(code) = code.filter(|_| code_given) {
        let _ = write!(
            page.out,
            "<p><a href=\"/v1/verify/{}/certificate.pdf?code={}\">The certificate as issued (PDF) · \
             Giấy chứng nhận đã cấp (PDF) · 已签发证书 (PDF)</a></p>",
            escape(number),
            escape(code)
        );
    }
    if code_given {
        let _ = write!(
            page.out,
            "<p><small>Signed payload SHA-256 · Mã băm · 哈希值: {} · key {}</small></p>",
            escape(text(verification, "payload_sha256")),
            escape(text(verification, "key_id"))
        );
    } else {
        let _ = write!(
            page.out,
            "<form method=\"get\" action=\"/v1/verify/{}\"><label for=\"code\">Verification code printed on the certificate · \
             Mã xác minh in trên giấy chứng nhận · 证书上印制的验证码</label>\
             <input id=\"code\" name=\"code\" autocomplete=\"off\" maxlength=\"40\">\
             <button type=\"submit\">Verify · Xác minh · 验证</button></form>",
            escape(number)
        );
    }
    page.finish()
}

/// The page for an unknown number or a wrong code (answered with 404).
pub fn not_found(number: &str) -> String {
    let mut page = Page::new(&format!("{number}: not found"));
    let _ = write!(
        page.out,
        "<section class=\"status revoked\"><strong>NOT FOUND · KHÔNG TÌM THẤY · 未找到</strong><div>{}</div></section>\
         <p>No certificate with this number and verification code was issued by this service. \
         · Không có giấy chứng nhận nào với số và mã xác minh này. · 本系统未签发该编号及验证码对应的证书。</p>",
        escape(number)
    );
    page.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_revoked_certificate_shows_its_status_date_and_reason_and_escapes_text() {
        let html = page(
            &json!({"number": "VN-PC-2026-000001", "status": "revoked", "kind": "phytosanitary",
                    "revocation": {"revoked_at": "2026-11-29T03:00:00Z", "reason": "Issued <in> error"},
                    "quantity": {"net_weight_kg": 18000.0, "packages": 1000}, "produce": "Fresh durian, whole fruit"}),
            None,
        );
        assert!(html.contains("REVOKED · ĐÃ THU HỒI · 已撤销"));
        assert!(html.contains("2026-11-29"));
        assert!(html.contains("Issued &lt;in&gt; error"));
        assert!(html.contains("18,000 kg, 1,000 packages"));
        assert!(html.contains("<form method=\"get\" action=\"/v1/verify/VN-PC-2026-000001\">"));
        assert!(!html.contains("<script"));
    }
}
